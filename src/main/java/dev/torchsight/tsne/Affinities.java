package dev.torchsight.tsne;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the input similarities P are built: from each point's Gaussian over its nearest neighbours
 * calibrated to a perplexity (default), a mixture of several perplexities, uniform weights over k
 * neighbours, or a matrix the caller computed. Independent of the gradient method.
 *
 * <pre>{@code
 * Tsne.builder().optAffinities(Affinities.multiscale(5, 50))
 * }</pre>
 */
public abstract class Affinities {
    Affinities() {}

    /** Gaussian per point calibrated to this perplexity over its 3*perplexity+1 nearest neighbours (default 30). */
    public static Affinities perplexity(double perplexity) {
        return new PerplexityAffinities(perplexity, 0);
    }

    /**
     * As {@link #perplexity(double)} over exactly {@code neighbors} neighbours; with N-1 neighbours P is
     * dense, as scikit-learn's exact method.
     */
    public static Affinities perplexity(double perplexity, int neighbors) {
        if (neighbors < 1) {
            throw new TorchsightException(Kind.PERPLEXITY, neighbors, "the neighbour count must be at least 1, got "
                    + neighbors);
        }
        return new PerplexityAffinities(perplexity, neighbors);
    }

    /**
     * The average of per-point Gaussians at several perplexities (multiscale, Lee et al. 2015), over the
     * 3*max(perplexities)+1 nearest neighbours: keeps local and global structure.
     */
    public static Affinities multiscale(double... perplexities) {
        return new MultiscaleAffinities(perplexities);
    }

    /** Each point's k nearest neighbours with equal weight 1/k, then symmetrised. */
    public static Affinities uniform(int k) {
        return new UniformAffinities(k);
    }

    /**
     * A similarity matrix the caller computed, as CSR (row i's entries are {@code cols[rowPtr[i]..rowPtr[i+1])}):
     * any non-negative weights, e.g. a kNN graph's 0/1 adjacency or a kernel. It is symmetrised,
     * (A + A^T), its diagonal dropped, and scaled to sum 1.
     */
    public static Affinities precomputed(int n, long[] rowPtr, int[] cols, double[] vals) {
        return new PrecomputedAffinities(n, rowPtr, cols, vals);
    }

    /** A kNN graph the caller computed (n x k indices, row-major, no self): uniform weights, symmetrised. */
    public static Affinities knnGraph(int n, int k, int[] neighbors) {
        if (k < 1 || neighbors.length != (long) n * k) {
            throw new TorchsightException(Kind.INPUT, neighbors.length, "a kNN graph of " + n + " points with k=" + k
                    + " needs " + ((long) n * k) + " indices, got " + neighbors.length);
        }
        long[] rowPtr = new long[n + 1];
        double[] ones = new double[neighbors.length];
        for (int i = 0; i <= n; i++) {
            rowPtr[i] = (long) i * k;
        }
        Arrays.fill(ones, 1.0);
        return new PrecomputedAffinities(n, rowPtr, neighbors, ones);
    }

    /** Neighbours each point needs for n points under the resolved method; 0 when no search is needed. */
    abstract int neighbors(int n, TsneMethod method);

    /** Checks that n points suit these affinities (e.g. enough rows for the perplexity). */
    abstract void validate(long n);

    /** Builds P; {@code knn} holds {@link #neighbors} neighbours per point, or is null when none were asked. */
    abstract SparseAffinities build(NearestNeighbors knn, int n, int threads);

    /** The perplexity a new point's affinities to a fitted map use (see {@link Embedding#transform}). */
    abstract double transformPerplexity();

    /** The largest perplexity usable with n rows: 3*perplexity + 1 neighbours must exist besides the row. */
    static double largestPerplexity(long n) {
        return (n - 2) / 3.0;
    }

    static void requirePerplexity(double perplexity, long n) {
        if (!(perplexity > 0) || !Double.isFinite(perplexity)) {
            throw new TorchsightException(Kind.PERPLEXITY, perplexity, "perplexity must be positive and finite, got "
                    + perplexity);
        }
        if (n < 0) {
            return;  // only the value is checked before the data is known
        }
        double largest = largestPerplexity(n);
        if (largest < 1) {
            throw new TorchsightException(Kind.INPUT, n, "t-SNE needs at least 5 rows, got " + n);
        }
        if (perplexity > largest) {
            throw new TorchsightException(Kind.PERPLEXITY, perplexity, String.format(Locale.ROOT,
                    "perplexity %s is too large for %d rows (it needs 3*perplexity+2 rows); "
                            + "use a perplexity of %s or less, or give more rows",
                    fmt(perplexity), n, fmt(Math.floor(largest * 100) / 100)));
        }
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** 3*perplexity+1 neighbours, at most n-1. */
    static int neighborsFor(double perplexity, int n) {
        return (int) Math.min(n - 1, (long) Math.floor(3 * perplexity) + 1);
    }
}
