package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/**
 * The KL gradient on the CPU: attractive forces over sparse P, repulsion by a {@link CpuRepulsion},
 * combined with scikit-learn's scaling {@code 4 (exaggeration F_attr - F_rep / Z)}. Owns its scratch
 * buffers (closed with it); P is borrowed.
 */
final class CpuGradientBackend implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final SparseAffinities p;
    private final CpuRepulsion repulsion;
    private final KernelShape kernel;
    private final int threads;
    private final DoublePointer attr;
    private final DoublePointer rep;
    private final DoublePointer zRow;

    CpuGradientBackend(SparseAffinities p, CpuRepulsion repulsion, KernelShape kernel, int threads) {
        this.p = p;
        this.repulsion = repulsion;
        this.kernel = kernel;
        this.threads = threads;
        long len = (long) p.n * kernel.dimensions();
        this.attr = new DoublePointer(len);
        this.rep = new DoublePointer(len);
        this.zRow = new DoublePointer(p.n);
    }

    /** The standard 2-D kernel with the exact or Barnes-Hut repulsion (tests, benchmarks). */
    CpuGradientBackend(SparseAffinities p, TsneMethod method, double theta, int threads) {
        this(p, method == TsneMethod.EXACT ? new ExactRepulsion() : new BarnesHutRepulsion(theta), KernelShape.STANDARD,
                threads);
    }

    /** Writes dC/dy for embedding y (n x dims) into grad, with P multiplied by exaggeration; returns Z. */
    double gradient(DoublePointer y, double exaggeration, DoublePointer grad) {
        int dims = kernel.dimensions();
        TorchsightNative.tsne_attractive(p.rowPtr, p.cols, p.vals, p.n, dims, kernel.dof(), y, y, attr, threads);
        double z = repulsion.compute(kernel, p.n, y, p.n, y, true, rep, zRow, threads);
        TorchsightNative.tsne_combine(p.n, dims, attr, rep, exaggeration, z, null, grad, threads);
        return z;
    }

    /** KL(P || Q) of the embedding, with Q normalised by z. */
    double klDivergence(DoublePointer y, double z) {
        return TorchsightNative.tsne_kl_divergence(p.rowPtr, p.cols, p.vals, p.n, kernel.dimensions(), kernel.dof(), y,
                z, threads);
    }

    /** Exact normalisation Z, O(n^2). */
    double exactNormalization(DoublePointer y) {
        return TorchsightNative.tsne_exact_normalization(p.n, kernel.dimensions(), kernel.dof(), y, threads);
    }

    @Override
    public void close() {
        attr.close();
        rep.close();
        zRow.close();
    }
}
