package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/** Exact or Barnes-Hut gradient in torchsight's native C++ (OpenMP). */
final class CpuGradientBackend {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final SparseAffinities p;
    private final int nativeMethod;
    private final double theta;
    private final int threads;

    CpuGradientBackend(SparseAffinities p, TsneMethod method, double theta, int threads) {
        this.p = p;
        this.nativeMethod = method == TsneMethod.EXACT ? TorchsightNative.TSNE_EXACT : TorchsightNative.TSNE_BARNES_HUT;
        this.theta = theta;
        this.threads = threads;
    }

    /**
     * Writes dC/dy for embedding y (n x 2) into grad, with P multiplied by exaggeration; returns Z.
     */
    double gradient(DoublePointer y, double exaggeration, DoublePointer grad) {
        return TorchsightNative.tsne_gradient(nativeMethod, theta, p.rowPtr, p.cols, p.vals, p.n, y, exaggeration,
                grad, threads);
    }

    /** KL(P || Q) of the embedding, with Q normalised by z. */
    double klDivergence(DoublePointer y, double z) {
        return TorchsightNative.tsne_kl_divergence(p.rowPtr, p.cols, p.vals, p.n, y, z, threads);
    }

    /** Exact normalisation Z, O(n^2). */
    double exactNormalization(DoublePointer y) {
        return TorchsightNative.tsne_exact_normalization(p.n, y, threads);
    }
}
