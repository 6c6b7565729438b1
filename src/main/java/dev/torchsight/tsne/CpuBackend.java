package dev.torchsight.tsne;

/** A CPU optimisation whose repulsion is one {@link CpuRepulsion}. */
record CpuBackend(TsneMethod method, CpuRepulsion repulsion) implements GradientBackend {
    @Override
    public TsneSession open(SparseAffinities p, double[] initial, KernelShape kernel, int threads) {
        return new CpuSession(p, repulsion, kernel, threads, initial);
    }
}
