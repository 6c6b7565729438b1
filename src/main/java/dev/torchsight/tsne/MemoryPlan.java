package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * The peak memory a run will need, estimated from its sizes before any work starts, so that a run that
 * cannot fit stops with a clear message instead of exhausting the machine half-way.
 *
 * @param bytes the estimated peak beyond the caller's input
 * @param biggest what dominates it, for the message
 */
record MemoryPlan(long bytes, String biggest, boolean allPairs) {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Bytes per entry of the neighbour stage and P at their common peak: indices, distances, conditional P, CSR. */
    static final long BYTES_PER_NEIGHBOR = 8 + 8 + 8 + 2 * (4 + 8);
    /** Bytes per pair of the exact method with all N-1 neighbours (dense P in the same layout). */
    static final long EXACT_BYTES_PER_PAIR = BYTES_PER_NEIGHBOR;
    /** Per-coordinate buffers of the optimisation: y, update, gains, gradient, attraction, repulsion (doubles). */
    static final long OPTIMIZER_BYTES_PER_COORDINATE = 6 * 8;

    /** Physical memory this process may still use: the smaller of the JavaCPP limit and what the OS has free. */
    static long availableBytes() {
        long available = Pointer.availablePhysicalBytes();
        long max = Pointer.maxPhysicalBytes();
        return max > 0 ? Math.min(max, available) : available;
    }

    /** The plan for n rows of d features (after PCA) under these settings. */
    static MemoryPlan of(int n, int d, Tsne.Settings settings, TsneMethod method) {
        long k = settings.affinities().neighbors(n, method);
        long features = 2L * n * d * Float.BYTES;  // the float32 copy and the PCA scores
        long neighbors = (long) n * k * BYTES_PER_NEIGHBOR;
        long index = settings.neighbors().resolve(n) == NeighborMethod.APPROX ? (long) n * (d * Float.BYTES + 256) : 0;
        long optimizer = (long) n * settings.dimensions() * OPTIMIZER_BYTES_PER_COORDINATE;
        long total = features + neighbors + index + optimizer;
        boolean allPairs = k >= n - 1 && n > 1;
        String biggest = allPairs ? "all-pairs affinities of the exact method"
                : "the neighbour lists and P (" + k + " neighbours per point)";
        return new MemoryPlan(total, biggest, allPairs);
    }

    /** Throws a one-line explanation when the plan exceeds {@code limit}. */
    void requireFits(long limit) {
        if (bytes > limit && allPairs) {
            throw new TorchsightException(Kind.METHOD, TsneMethod.EXACT, String.format(Locale.ROOT,
                    "the exact method needs about %.1f GiB for all-pairs affinities but %.1f GiB is available; "
                            + "use the Barnes-Hut or FFT method (sparse affinities)",
                    bytes / 1073741824.0, limit / 1073741824.0));
        }
        if (bytes > limit) {
            throw new TorchsightException(Kind.MEMORY, bytes, String.format(Locale.ROOT,
                    "this t-SNE needs about %.1f GiB (mostly %s) but %.1f GiB is available; use fewer points, a "
                            + "lower perplexity, or the barnes-hut/fft method with sparse affinities",
                    bytes / 1073741824.0, biggest, limit / 1073741824.0));
        }
    }
}
