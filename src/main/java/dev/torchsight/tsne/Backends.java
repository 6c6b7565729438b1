package dev.torchsight.tsne;

import dev.torchsight.core.Device;
import dev.torchsight.core.internal.TorchsightNative;

/**
 * The one place that maps a method and a device to a gradient backend. Every combination is listed;
 * a new backend is a new case here plus its class.
 */
final class Backends {
    private Backends() {}

    /** The CPU backend for a requested method (AUTO resolved by size and dimensions). */
    static GradientBackend cpu(TsneMethod requested, int n, KernelShape kernel, double theta) {
        TsneMethod method = requested.resolve(n, kernel.dimensions());
        return switch (method) {
            case EXACT -> new CpuBackend(method, new ExactRepulsion());
            case BARNES_HUT -> new CpuBackend(method, new BarnesHutRepulsion(theta));
            case FFT -> new CpuBackend(method, new FftRepulsion());
            case AUTO -> throw new IllegalStateException("AUTO resolves to a concrete method");
        };
    }

    /**
     * The CUDA backend for a requested method, or null when the CUDA kernels cannot run this kernel shape
     * (they run 2-D embeddings with dof 1; the caller then says so and uses {@link #cpu}). AUTO on the GPU
     * takes exact tiles up to {@code TSNE_CUDA_EXACT_MAX_POINTS} points and the tree above.
     */
    static GradientBackend cuda(TsneMethod requested, int n, KernelShape kernel, double theta) {
        if (!kernel.isStandard()) {
            return null;
        }
        return switch (requested) {
            case EXACT -> new CudaBackend(TsneMethod.EXACT, TorchsightNative.TSNE_CUDA_EXACT_TILES, theta);
            case BARNES_HUT -> new CudaBackend(TsneMethod.BARNES_HUT, TorchsightNative.TSNE_CUDA_TREE, theta);
            case FFT -> new CudaBackend(TsneMethod.FFT, TorchsightNative.TSNE_CUDA_FFT, theta);
            case AUTO -> new CudaBackend(n <= CUDA_EXACT_MAX_POINTS ? TsneMethod.EXACT : TsneMethod.BARNES_HUT,
                    TorchsightNative.TSNE_CUDA_AUTO, theta);
        };
    }

    /** As {@code TSNE_CUDA_EXACT_MAX_POINTS} in native/include/torchsight/tsne_cuda.h. */
    static final int CUDA_EXACT_MAX_POINTS = 100_000;

    /** The backend for a device: {@link #cuda} or {@link #cpu}. */
    static GradientBackend on(Device device, TsneMethod requested, int n, KernelShape kernel, double theta) {
        return switch (device) {
            case CPU -> cpu(requested, n, kernel, theta);
            case CUDA -> cuda(requested, n, kernel, theta);
        };
    }
}
