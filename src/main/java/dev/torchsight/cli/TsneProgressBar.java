package dev.torchsight.cli;

import dev.torchsight.tsne.TsneProgress;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/**
 * A stderr progress bar for t-SNE: first over the neighbour search (points done), then over the
 * optimisation (iteration, KL divergence and ETA).
 */
final class TsneProgressBar implements TsneProgress, AutoCloseable {
    private final ProgressBar bar;
    private final int iterations;
    private String phase = "";

    TsneProgressBar(String task, int iterations) {
        this.iterations = iterations;
        bar = ProgressBars.create(task, iterations, "");
    }

    @Override
    public void report(Event e) {
        switch (e.stage()) {
            case "neighbors" -> {
                enter("neighbors", e.totalIterations());
                bar.stepTo(e.iteration());
                bar.setExtraMessage("nearest neighbours");
            }
            case "optimize", "done" -> {
                enter("optimize", iterations);
                bar.stepTo(e.iteration());
                bar.setExtraMessage(String.format(Locale.ROOT, "KL %.4f", e.klDivergence()));
            }
            default -> bar.setExtraMessage(e.stage() + "...");
        }
    }

    /** Switches the bar to a stage with its own total, once. */
    private void enter(String stage, long total) {
        if (!phase.equals(stage)) {
            phase = stage;
            bar.reset();
            bar.maxHint(total);
            bar.setExtraMessage("");
        }
    }

    @Override
    public void close() {
        bar.close();
    }
}
