package dev.torchsight.tsne;

/**
 * The result of a t-SNE run: N points in 2-D and how they were obtained.
 */
public final class Embedding {
    private final double[] coordinates;
    private final double klDivergence;
    private final int iterations;
    private final TsneMethod method;
    private final double perplexity;
    private final double elapsedSeconds;
    private final Timings timings;
    private final String backend;

    /** Seconds spent in each stage. */
    public record Timings(double pca, double neighbors, double affinities, double optimize) { }

    Embedding(double[] coordinates, double klDivergence, int iterations, TsneMethod method, double perplexity,
              double elapsedSeconds, Timings timings, String backend) {
        this.coordinates = coordinates;
        this.klDivergence = klDivergence;
        this.iterations = iterations;
        this.method = method;
        this.perplexity = perplexity;
        this.elapsedSeconds = elapsedSeconds;
        this.timings = timings;
        this.backend = backend;
    }

    /** Number of points. */
    public int size() {
        return coordinates.length / 2;
    }

    /** x coordinate of point i. */
    public double x(int i) {
        return coordinates[2 * i];
    }

    /** y coordinate of point i. */
    public double y(int i) {
        return coordinates[2 * i + 1];
    }

    /** All coordinates as a copy, row-major (x0, y0, x1, y1, ...). */
    public double[] coordinates() {
        return coordinates.clone();
    }

    /**
     * KL(P || Q) of the final embedding over the un-exaggerated P, with Q normalised exactly
     * (all pairs) up to {@link Tsne#EXACT_KL_MAX_POINTS} points and by the Barnes-Hut estimate above.
     */
    public double klDivergence() {
        return klDivergence;
    }

    /** Optimisation iterations run (fewer than requested when the gradient vanished). */
    public int iterations() {
        return iterations;
    }

    /** The gradient method actually used. */
    public TsneMethod method() {
        return method;
    }

    /** The perplexity the affinities were calibrated to. */
    public double perplexity() {
        return perplexity;
    }

    /** Wall time of the whole fit in seconds. */
    public double elapsedSeconds() {
        return elapsedSeconds;
    }

    /** Wall time per stage. */
    public Timings timings() {
        return timings;
    }

    /** What ran the optimisation, e.g. "CPU, 8 threads" or "CUDA, NVIDIA H100 (sm_90, 79.1 GiB), exact tiles". */
    public String backend() {
        return backend;
    }
}
