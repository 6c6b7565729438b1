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

    /** Wraps CSR buffers the caller filled (owned by the result from here on). */
    static SparseAffinities of(int n, long nnz, LongPointer rowPtr, IntPointer cols, DoublePointer vals,
                               int unconverged) {
        return new SparseAffinities(n, nnz, rowPtr, cols, vals, unconverged);
    }

    /** Bisection tolerance on each row's perplexity. */
    static final double PERPLEXITY_TOLERANCE = 1e-5;
    private static final int MAX_BISECTION_STEPS = 200;

    /**
     * Calibrates each row's Gaussian to the perplexity over its neighbours, then symmetrises:
     * P = (P_cond + P_cond^T) / (2n).
     */
    static SparseAffinities fromNeighbors(NearestNeighbors knn, double perplexity, int threads) {
        try (DoublePointer conditional = new DoublePointer((long) knn.n * knn.k)) {
            int unconverged = calibrate(knn, perplexity, threads, conditional);
            return symmetrized(knn.indices, conditional, knn.n, knn.k, unconverged, threads);
        }
    }

    /**
     * P = (P_cond + P_cond^T) / (2n) from conditional probabilities over a kNN graph (n*k indices and
     * values, each row summing to 1). Both arrays stay the caller's.
     */
    static SparseAffinities symmetrized(LongPointer indices, DoublePointer conditional, int n, int k, int unconverged,
                                        int threads) {
        LongPointer rowPtr = OwnedMemory.owned(new LongPointer(n + 1L));
        IntPointer cols = OwnedMemory.owned(new IntPointer(2L * n * k));
        DoublePointer vals = OwnedMemory.owned(new DoublePointer(2L * n * k));
        long nnz = TorchsightNative.tsne_symmetrize(indices, conditional, n, k, rowPtr, cols, vals, threads);
        return new SparseAffinities(n, nnz, rowPtr, cols, vals, unconverged);
    }

    /**
     * P from a CSR matrix the caller computed: (A + A^T) scaled to sum 1, the diagonal dropped. Columns in
     * each row must be distinct and in [0, n); values non-negative and finite (checked by the caller).
     */
    static SparseAffinities fromMatrix(int n, long[] rowPtr, int[] cols, double[] vals) {
        java.util.List<java.util.TreeMap<Integer, Double>> rows = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new java.util.TreeMap<>());
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (long e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                int j = cols[(int) e];
                double v = vals[(int) e];
                if (j == i || v == 0) {
                    continue;
                }
                rows.get(i).merge(j, v, Double::sum);
                rows.get(j).merge(i, v, Double::sum);
                total += 2 * v;
            }
        }
        long nnz = rows.stream().mapToLong(java.util.TreeMap::size).sum();
        LongPointer ptr = OwnedMemory.owned(new LongPointer(n + 1L));
        IntPointer outCols = OwnedMemory.owned(new IntPointer(Math.max(1, nnz)));
        DoublePointer outVals = OwnedMemory.owned(new DoublePointer(Math.max(1, nnz)));
        long e = 0;
        for (int i = 0; i < n; i++) {
            ptr.put(i, e);
            for (java.util.Map.Entry<Integer, Double> entry : rows.get(i).entrySet()) {
                outCols.put(e, entry.getKey());
                outVals.put(e, entry.getValue() / total);
                e++;
            }
        }
        ptr.put(n, e);
        return new SparseAffinities(n, nnz, ptr, outCols, outVals, 0);
    }

    /** Per-row bandwidth bisection into {@code conditional}; returns the rows that missed the tolerance. */
    static int calibrate(NearestNeighbors knn, double perplexity, int threads, DoublePointer conditional) {
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
