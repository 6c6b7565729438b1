package dev.torchsight.cli;

import dev.torchsight.tsne.TsneProgress;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A stderr progress bar for t-SNE: stage, iteration, KL divergence and ETA. */
final class TsneProgressBar implements TsneProgress, AutoCloseable {
    private final ProgressBar bar;

    TsneProgressBar(String task, int iterations, PrintStream err) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(iterations)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err)).showSpeed().build();
    }

    @Override
    public void report(Event e) {
        switch (e.stage()) {
            case "optimize", "done" -> {
                bar.stepTo(e.iteration());
                bar.setExtraMessage(String.format(Locale.ROOT, "KL %.4f", e.klDivergence()));
            }
            default -> bar.setExtraMessage(e.stage() + "...");
        }
    }

    @Override
    public void close() {
        bar.close();
    }
}
