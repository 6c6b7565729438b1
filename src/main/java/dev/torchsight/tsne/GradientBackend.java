package dev.torchsight.tsne;

/**
 * Where and how the optimisation's gradient is computed: a CPU repulsion algorithm or a CUDA session.
 * {@link Backends#resolve} picks one from the method and the device.
 */
interface GradientBackend {
    /**
     * Starts an optimisation of {@code initial} (n x dims, row-major) against P. The session owns its
     * buffers and is closed by the caller; P stays the caller's and must outlive the session.
     */
    TsneSession open(SparseAffinities p, double[] initial, KernelShape kernel, int threads);

    /** The concrete method this backend runs. */
    TsneMethod method();
}
