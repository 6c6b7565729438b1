package dev.torchsight.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The CLI's progress bars: ASCII, on stderr (stdout stays for results), with speed and ETA. */
final class ProgressBars {
    private ProgressBars() {}

    /** A bar over {@code max} steps of {@code unit} (e.g. " img"; empty for plain steps). */
    static ProgressBar create(String task, long max, String unit) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed();
        if (!unit.isEmpty()) {
            builder.setUnit(unit, 1);
        }
        return builder.build();
    }
}
