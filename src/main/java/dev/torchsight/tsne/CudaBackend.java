package dev.torchsight.tsne;

/**
 * The device-resident CUDA optimisation with one of its repulsion algorithms (exact tiles, tree, FFT);
 * 2-D embeddings with the standard kernel.
 *
 * @param repulsion a {@code TSNE_CUDA_*} id of {@code TorchsightNative}
 */
record CudaBackend(TsneMethod method, int repulsion, double theta) implements GradientBackend {
    @Override
    public TsneSession open(SparseAffinities p, double[] initial, KernelShape kernel, int threads) {
        return CudaSession.open(p, initial, repulsion, theta);
    }
}
