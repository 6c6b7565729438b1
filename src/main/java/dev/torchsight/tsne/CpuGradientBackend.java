package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/** Exact or Barnes-Hut gradient of a 2-D embedding (standard kernel) in torchsight's native C++ (OpenMP). */
final class CpuGradientBackend implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private static final int DIMS = 2;
    private static final double DOF = 1.0;

    private final SparseAffinities p;
    private final boolean barnesHut;
    private final double theta;
    private final int threads;
    private final DoublePointer attr;
    private final DoublePointer rep;
    private final DoublePointer zRow;

    CpuGradientBackend(SparseAffinities p, TsneMethod method, double theta, int threads) {
        this.p = p;
        this.barnesHut = method != TsneMethod.EXACT;
        this.theta = theta;
        this.threads = threads;
        this.attr = OwnedMemory.owned(new DoublePointer((long) DIMS * p.n));
        this.rep = OwnedMemory.owned(new DoublePointer((long) DIMS * p.n));
        this.zRow = OwnedMemory.owned(new DoublePointer(p.n));
    }

    /**
     * Writes dC/dy for embedding y (n x 2) into grad, with P multiplied by exaggeration; returns Z.
     */
    double gradient(DoublePointer y, double exaggeration, DoublePointer grad) {
        TorchsightNative.tsne_attractive(p.rowPtr, p.cols, p.vals, p.n, DIMS, DOF, y, y, attr, threads);
        double z = barnesHut
                ? TorchsightNative.tsne_repulsion_barnes_hut(DIMS, DOF, theta, p.n, y, p.n, y, 1, rep, zRow, threads)
                : TorchsightNative.tsne_repulsion_exact(DIMS, DOF, p.n, y, p.n, y, 1, rep, zRow, threads);
        TorchsightNative.tsne_combine(p.n, DIMS, attr, rep, exaggeration, z, null, grad, threads);
        return z;
    }

    /** KL(P || Q) of the embedding, with Q normalised by z. */
    double klDivergence(DoublePointer y, double z) {
        return TorchsightNative.tsne_kl_divergence(p.rowPtr, p.cols, p.vals, p.n, DIMS, DOF, y, z, threads);
    }

    /** Exact normalisation Z, O(n^2). */
    double exactNormalization(DoublePointer y) {
        return TorchsightNative.tsne_exact_normalization(p.n, DIMS, DOF, y, threads);
    }

    @Override
    public void close() {
        attr.close();
        rep.close();
        zRow.close();
    }
}
