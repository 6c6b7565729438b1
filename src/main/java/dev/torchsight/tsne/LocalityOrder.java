package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * A relabelling of the points in which P's neighbours sit close in index (breadth-first over P's graph).
 * Large fits optimise in this order: the attractive term's reads of neighbours' coordinates then stay in
 * cache instead of being scattered over the embedding. Results change only by floating-point
 * reassociation; {@link #toCaller} restores the caller's order.
 */
final class LocalityOrder {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /**
     * Fits from this size on are reordered. Below it the embedding (16 bytes a point in 2-D) stays within the
     * caches anyway, and the order would cost more than it saves.
     */
    static final int MIN_POINTS = 50_000;

    /** order[r]: the caller's index of the point at rank r. */
    private final int[] order;

    private LocalityOrder(int[] order) {
        this.order = order;
    }

    /** The locality order of P's graph (deterministic: depends on P alone). */
    static LocalityOrder of(SparseAffinities p) {
        try (IntPointer out = new IntPointer(Math.max(1, p.n))) {
            TorchsightNative.tsne_locality_order(p.rowPtr, p.cols, p.n, out);
            int[] order = new int[p.n];
            out.get(order);
            return new LocalityOrder(order);
        }
    }

    /**
     * P relabelled into this order; a new matrix the caller closes. The copy stays within the
     * {@link MemoryPlan}: the fit frees the neighbour lists, which took as much, before optimising.
     */
    SparseAffinities permute(SparseAffinities p, int threads) {
        LongPointer rowPtr = OwnedMemory.owned(new LongPointer(p.n + 1L));
        IntPointer cols = OwnedMemory.owned(new IntPointer(Math.max(1, p.nnz)));
        DoublePointer vals = OwnedMemory.owned(new DoublePointer(Math.max(1, p.nnz)));
        try (IntPointer ord = new IntPointer(order)) {
            TorchsightNative.tsne_permute_csr(p.rowPtr, p.cols, p.vals, p.n, ord, rowPtr, cols, vals, threads);
        }
        return SparseAffinities.of(p.n, p.nnz, rowPtr, cols, vals, p.unconvergedRows);
    }

    /** Rows of a row-major n x dims array in the caller's order, moved into this order. */
    double[] fromCaller(double[] rows, int dims) {
        double[] out = new double[rows.length];
        for (int r = 0; r < order.length; r++) {
            System.arraycopy(rows, order[r] * dims, out, r * dims, dims);
        }
        return out;
    }

    /** Rows of a row-major n x dims array in this order, moved back into the caller's order. */
    double[] toCaller(double[] rows, int dims) {
        double[] out = new double[rows.length];
        for (int r = 0; r < order.length; r++) {
            System.arraycopy(rows, r * dims, out, order[r] * dims, dims);
        }
        return out;
    }
}
