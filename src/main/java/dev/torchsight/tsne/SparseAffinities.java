package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * The symmetric joint probabilities P of t-SNE in CSR form, in native memory: row i's neighbours are
 * {@code cols[rowPtr[i] .. rowPtr[i+1])} with values {@code vals[...]}, summing to 1 over all entries.
 */
final class SparseAffinities implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    final int n;
    final long nnz;
    final LongPointer rowPtr;
    final IntPointer cols;
    final DoublePointer vals;
    /** Rows whose bandwidth search did not reach the perplexity tolerance (e.g. equidistant neighbours). */
    final int unconvergedRows;

    private SparseAffinities(int n, long nnz, LongPointer rowPtr, IntPointer cols, DoublePointer vals, int unconverged) {
        this.n = n;
        this.nnz = nnz;
        this.rowPtr = rowPtr;
        this.cols = cols;
        this.vals = vals;
        this.unconvergedRows = unconverged;
    }

    /** Bisection tolerance on each row's perplexity. */
    static final double PERPLEXITY_TOLERANCE = 1e-5;
    private static final int MAX_BISECTION_STEPS = 200;

    /**
     * Calibrates each row's Gaussian to the perplexity over its neighbours, then symmetrises:
     * P = (P_cond + P_cond^T) / (2n).
     */
    static SparseAffinities fromNeighbors(NearestNeighbors knn, double perplexity, int threads) {
        int n = knn.n;
        int k = knn.k;
        try (DoublePointer conditional = new DoublePointer((long) n * k)) {
            int unconverged = calibrate(knn, perplexity, threads, conditional);
            LongPointer rowPtr = OwnedMemory.owned(new LongPointer(n + 1L));
            IntPointer cols = OwnedMemory.owned(new IntPointer(2L * n * k));
            DoublePointer vals = OwnedMemory.owned(new DoublePointer(2L * n * k));
            long nnz = TorchsightNative.tsne_symmetrize(knn.indices, conditional, n, k, rowPtr, cols, vals, threads);
            return new SparseAffinities(n, nnz, rowPtr, cols, vals, unconverged);
        }
    }

    /** Per-row bandwidth bisection into {@code conditional}; returns the rows that missed the tolerance. */
    private static int calibrate(NearestNeighbors knn, double perplexity, int threads, DoublePointer conditional) {
        return TorchsightNative.tsne_conditional_p(knn.distancesSq, knn.n, knn.k, perplexity, PERPLEXITY_TOLERANCE,
                MAX_BISECTION_STEPS, conditional, null, threads);
    }

    /** Conditional probabilities only (for tests and diagnostics): n*k values, rows summing to 1. */
    static double[] conditional(NearestNeighbors knn, double perplexity, int threads) {
        try (DoublePointer conditional = new DoublePointer((long) knn.n * knn.k)) {
            calibrate(knn, perplexity, threads, conditional);
            double[] out = new double[knn.n * knn.k];
            conditional.get(out);
            return out;
        }
    }

    /** Row pointers as a Java array (tests, diagnostics). */
    long[] rowPtrArray() {
        long[] out = new long[n + 1];
        rowPtr.get(out);
        return out;
    }

    /** Column indices as a Java array (tests, diagnostics). */
    int[] colsArray() {
        int[] out = new int[(int) nnz];
        cols.get(out);
        return out;
    }

    /** Values as a Java array (tests, diagnostics). */
    double[] valsArray() {
        double[] out = new double[(int) nnz];
        vals.get(out);
        return out;
    }

    @Override
    public void close() {
        rowPtr.close();
        cols.close();
        vals.close();
    }
}
