package dev.torchsight.tsne;

import java.util.function.Supplier;

/**
 * Watches an optimisation and may stop it: called at every KL check (every
 * {@link Tsne.Builder#optCheckEvery} iterations). Returning false ends the run; the embedding reached so
 * far becomes the result, with {@link Embedding#stoppedByCallback()} set.
 */
@FunctionalInterface
public interface TsneCallback {
    /** Called on the fitting thread; return true to go on. */
    boolean proceed(Check check);

    /** Never stops a run. */
    TsneCallback NONE = c -> true;

    /**
     * The state at one check.
     *
     * @param iteration iterations finished
     * @param totalIterations the schedule's iterations
     * @param klDivergence KL(P||Q) of the un-exaggerated P, Q normalised by the step's Z
     * @param gradientNorm norm of the last gained gradient
     * @param elapsedSeconds seconds since the fit started
     * @param embedding copies the current embedding (n x dims, row-major) when called
     */
    record Check(int iteration, int totalIterations, double klDivergence, double gradientNorm, double elapsedSeconds,
                 Supplier<double[]> embedding) { }
}
