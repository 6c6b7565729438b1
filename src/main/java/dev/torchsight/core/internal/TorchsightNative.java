package dev.torchsight.core.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP mapping of {@code native/include/torchsight/*.h}. Internal: callers validate every argument
 * in Java first (sizes, finiteness, index ranges), because the native side trusts its input.
 */
@Platform(include = {"torchsight/tsne.h", "torchsight/tsne_fft.h", "torchsight/cuda.h", "torchsight/tsne_cuda.h",
        "torchsight/knn.h"}, link = "torchsight")
@Namespace("torchsight")
public final class TorchsightNative {
    static {
        dev.torchsight.core.Natives.ensureLoaded();  // the presets' libraries first (libgomp among them)
        Loader.load();
    }

    private TorchsightNative() {}

    public static native int tsne_conditional_p(@Const DoublePointer distSq, int n, int k, double perplexity,
            double tol, int maxSteps, DoublePointer outP, DoublePointer outBeta, int threads);

    public static native void tsne_neighbor_distances(@Const FloatPointer x, int n, int d,
            @Cast("const int64_t*") LongPointer neighbours, int k, DoublePointer out, int threads);

    public static native @Cast("int64_t") long tsne_symmetrize(@Cast("const int64_t*") LongPointer neighbours,
            @Const DoublePointer pCond, int n, int k, @Cast("int64_t*") LongPointer rowPtr,
            @Cast("int32_t*") IntPointer cols, DoublePointer vals, int threads);

    /**
     * Exact repulsion of src on tgt (n x dims, row-major) with kernel dof: rep (nTgt x dims) and zRow (nTgt).
     * sameSet 1: one set (tgt ignored), the pair t == s excluded. Returns the sum of zRow.
     */
    public static native double tsne_repulsion_exact(int dims, double dof, int nSrc, @Const DoublePointer src, int nTgt,
            @Const DoublePointer tgt, int sameSet, DoublePointer rep, DoublePointer zRow, int threads);

    /** Barnes-Hut estimate of {@link #tsne_repulsion_exact} (quadtree in 2-D, octree in 3-D) at theta. */
    public static native double tsne_repulsion_barnes_hut(int dims, double dof, double theta, int nSrc,
            @Const DoublePointer src, int nTgt, @Const DoublePointer tgt, int sameSet, DoublePointer rep,
            DoublePointer zRow, int threads);

    /** A locality order of P's graph: order[r] is the point placed at rank r (neighbours get nearby ranks). */
    public static native void tsne_locality_order(@Cast("const int64_t*") LongPointer rowPtr,
            @Cast("const int32_t*") IntPointer cols, int n, @Cast("int32_t*") IntPointer order);

    /** P relabelled by order (order[r] = old index of new row r), columns mapped and sorted per row. */
    public static native void tsne_permute_csr(@Cast("const int64_t*") LongPointer rowPtr,
            @Cast("const int32_t*") IntPointer cols, @Const DoublePointer vals, int n,
            @Cast("const int32_t*") IntPointer order, @Cast("int64_t*") LongPointer outRowPtr,
            @Cast("int32_t*") IntPointer outCols, DoublePointer outVals, int threads);

    /** Attractive term over P's CSR rows into attr (nRows x dims); yRows == yCols for a fit. */
    public static native void tsne_attractive(@Cast("const int64_t*") LongPointer rowPtr,
            @Cast("const int32_t*") IntPointer cols, @Const DoublePointer vals, int nRows, int dims, double dof,
            @Const DoublePointer yRows, @Const DoublePointer yCols, DoublePointer attr, int threads);

    /** grad = 4 (exaggeration attr - rep / Z), Z = zRow[i] per row when zRow is not null, else z. */
    public static native void tsne_combine(int nRows, int dims, @Const DoublePointer attr, @Const DoublePointer rep,
            double exaggeration, double z, @Const DoublePointer zRow, DoublePointer grad, int threads);

    /** KL(P || Q) over P's non-zeros, with q_ij = w_ij / z. */
    public static native double tsne_kl_divergence(@Cast("const int64_t*") LongPointer rowPtr,
            @Cast("const int32_t*") IntPointer cols, @Const DoublePointer vals, int n, int dims, double dof,
            @Const DoublePointer y, double z, int threads);

    /** Exact Z = sum over i != j of w_ij, O(n^2). */
    public static native double tsne_exact_normalization(int n, int dims, double dof, @Const DoublePointer y,
            int threads);

    public static native double tsne_update(@Cast("int64_t") long len, DoublePointer y, DoublePointer update,
            DoublePointer gains, @Const DoublePointer grad, double momentum, double learningRate, double minGain,
            int threads);

    public static native int tsne_openmp_enabled();

    /**
     * FFT-interpolated repulsion of src on tgt (see tsne_fft.h): rep (nTgt x dims) and zRow (nTgt); returns
     * the sum of zRow, or NaN when FFTW is not loaded or an argument is unsupported (dims != 2).
     */
    public static native double tsne_repulsion_fft(int dims, double dof, int interpolationPoints,
            double intervalsPerUnit, int minIntervals, int nSrc, @Const DoublePointer src, int nTgt,
            @Const DoublePointer tgt, int sameSet, DoublePointer rep, DoublePointer zRow, int threads);

    /** 1 when libfftw3f is loaded in the process and its functions resolved, else 0. */
    public static native int tsne_fft_available();

    /** Frees the grid buffers idle FFT-repulsion calls keep for reuse (call when a fit ends). */
    public static native void tsne_fft_release_workspaces();

    public static native int cuda_kernels_built();

    public static native int cuda_device_count();

    public static native int cuda_runtime_version();

    public static native int cuda_device_name(int device, @Cast("char*") BytePointer buffer, int capacity);

    /** CUDA repulsion: exact tiles up to 100,000 points (TSNE_CUDA_EXACT_MAX_POINTS in tsne_cuda.h), the tree above. */
    public static final int TSNE_CUDA_AUTO = -1;
    /** CUDA repulsion: all pairs in shared-memory tiles. */
    public static final int TSNE_CUDA_EXACT_TILES = 0;
    /** CUDA repulsion: Barnes-Hut over the implicit quadtree. */
    public static final int TSNE_CUDA_TREE = 1;
    /** CUDA repulsion: FFT-interpolated (FIt-SNE's scheme and defaults; needs libcufft at run time). */
    public static final int TSNE_CUDA_FFT = 2;

    /** Opaque native session of the CUDA backend. */
    @Opaque
    public static final class TsneCudaSession extends Pointer {
        /** A null session. */
        public TsneCudaSession() {
            super((Pointer) null);
        }
    }

    public static native TsneCudaSession tsne_cuda_create(int device, @Cast("const int64_t*") LongPointer rowPtr,
            @Cast("const int32_t*") IntPointer cols, @Const DoublePointer vals, int n, @Const DoublePointer y,
            int repulsion, double theta, @Cast("char*") BytePointer error, int capacity);

    public static native int tsne_cuda_repulsion(@Const TsneCudaSession session);

    public static native int tsne_cuda_reset_optimizer(TsneCudaSession session);

    public static native int tsne_cuda_step(TsneCudaSession session, double exaggeration, double momentum,
            double learningRate, double minGain);

    public static native int tsne_cuda_scalars(TsneCudaSession session, DoublePointer out);

    public static native int tsne_cuda_kl_divergence(TsneCudaSession session, double z, DoublePointer out);

    public static native int tsne_cuda_exact_normalization(TsneCudaSession session, DoublePointer out);

    public static native int tsne_cuda_gradient(TsneCudaSession session, double exaggeration, DoublePointer grad,
            DoublePointer z);

    public static native int tsne_cuda_embedding(TsneCudaSession session, DoublePointer y);

    public static native @Cast("const char*") BytePointer tsne_cuda_last_error(@Const TsneCudaSession session);

    public static native void tsne_cuda_destroy(TsneCudaSession session);

    public static native double tsne_cuda_emulated_repulsion(int repulsion, int n, @Const DoublePointer y,
            double theta, DoublePointer rep, DoublePointer zRow, int threads);

    /** Opaque native HNSW index (knn.h). */
    @Opaque
    public static final class TsneHnsw extends Pointer {
        /** A null index. */
        public TsneHnsw() {
            super((Pointer) null);
        }
    }

    public static native int tsne_hnsw_available();

    public static native TsneHnsw tsne_hnsw_create(int n, int d, int m, int efConstruction,
            @Cast("uint64_t") long seed);

    public static native int tsne_hnsw_add(TsneHnsw index, @Const FloatPointer x,
            @Cast("const int32_t*") IntPointer rows, int count, int threads);

    public static native int tsne_hnsw_order(TsneHnsw index, @Cast("int32_t*") IntPointer out, int threads);

    public static native int tsne_hnsw_query(TsneHnsw index, @Const FloatPointer x,
            @Cast("const int32_t*") IntPointer rows, int count, int k, int ef, @Cast("int32_t*") IntPointer out,
            int threads);

    public static native @Cast("const char*") BytePointer tsne_hnsw_last_error(@Const TsneHnsw index);

    public static native void tsne_hnsw_free(TsneHnsw index);

    /** The CUDA FFT repulsion's per-point code on the host (FFTW in place of cuFFT); NaN without FFTW. */
    public static native double tsne_cuda_emulated_fft_repulsion(int n, @Const DoublePointer y, DoublePointer rep,
            DoublePointer zRow, int threads);
}
