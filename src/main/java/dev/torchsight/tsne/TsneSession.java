package dev.torchsight.tsne;

/**
 * One optimisation's state (embedding, momentum, gains) and its iteration step on one backend. The
 * optimiser drives the schedule; a session reads back only the scalars a progress report needs.
 */
interface TsneSession extends AutoCloseable {
    /** Scalars of the last step: the normalisation Z and the gained gradient's norm. */
    record Scalars(double normalization, double gradientNorm) { }

    /** Starts a phase: zero momentum, unit gains. */
    void resetOptimizer();

    /** One iteration: gradient with P times exaggeration, then the gains + momentum update. */
    void step(double exaggeration, double momentum, double learningRate, double minGain);

    /** The last step's scalars (waits for queued device work). */
    Scalars scalars();

    /** KL(P || Q) of the current embedding, with Q normalised by z. */
    double klDivergence(double z);

    /** Exact normalisation Z of the current embedding, O(n^2). */
    double exactNormalization();

    /** The current embedding, row-major (x0, y0, x1, y1, ...). */
    double[] embedding();

    /** What runs the steps, for reports: e.g. "CPU, 8 threads". */
    String description();

    @Override
    void close();
}
