package dev.torchsight.tsne;

/**
 * Per-point Gaussians calibrated to one perplexity; {@code neighbors} 0 means 3*perplexity+1 (all N-1
 * with the exact method, as scikit-learn's).
 */
final class PerplexityAffinities extends Affinities {
    private final double perplexity;
    private final int neighbors;

    PerplexityAffinities(double perplexity, int neighbors) {
        requirePerplexity(perplexity, -1);
        this.perplexity = perplexity;
        this.neighbors = neighbors;
    }

    @Override
    int neighbors(int n, TsneMethod method) {
        if (neighbors > 0) {
            return Math.min(neighbors, n - 1);
        }
        return method == TsneMethod.EXACT ? n - 1 : neighborsFor(perplexity, n);
    }

    @Override
    void validate(long n) {
        requirePerplexity(perplexity, n);
    }

    @Override
    SparseAffinities build(NearestNeighbors knn, int n, int threads) {
        return SparseAffinities.fromNeighbors(knn, perplexity, threads);
    }

    @Override
    double transformPerplexity() {
        return perplexity;
    }

    @Override
    public String toString() {
        return "perplexity " + fmt(perplexity);
    }
}
