package dev.torchsight.tsne;

/** Receives progress of a t-SNE run: one call per stage and one per KL check during optimisation. */
@FunctionalInterface
public interface TsneProgress {
    /** Called on the fitting thread; keep it short. */
    void report(Event event);

    /** Ignores every event. */
    TsneProgress NONE = e -> { };

    /**
     * One progress report.
     *
     * @param stage what is running: "pca", "neighbors", "affinities", "optimize", "done"
     * @param iteration iterations finished so far (0 before optimisation)
     * @param totalIterations the iteration budget
     * @param klDivergence KL(P||Q) of the un-exaggerated P at this iteration, NaN outside optimisation
     * @param gradientNorm norm of the last (gained) gradient, NaN outside optimisation
     * @param elapsedSeconds seconds since fit started
     */
    record Event(String stage, int iteration, int totalIterations, double klDivergence, double gradientNorm,
                 double elapsedSeconds) { }
}
