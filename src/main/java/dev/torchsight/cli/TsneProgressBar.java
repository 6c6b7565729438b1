package dev.torchsight.cli;

import dev.torchsight.tsne.TsneProgress;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/** A stderr progress bar for t-SNE: stage, iteration, KL divergence and ETA. */
final class TsneProgressBar implements TsneProgress, AutoCloseable {
    private final ProgressBar bar;

    TsneProgressBar(String task, int iterations) {
        bar = ProgressBars.create(task, iterations, "");
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
