package dev.torchsight.tsne;

/**
 * How t-SNE finds each row's nearest neighbours: exactly, by blocked matrix products (O(N^2 D)), or
 * approximately, with an HNSW graph (about O(N log N D); recall@k at least 0.98 on Fashion-MNIST, see
 * benchmarks/tsne/knn).
 */
public enum NeighborMethod {
    /** All pairs, by libtorch matrix products. */
    EXACT,
    /** HNSW graph (hnswlib), built in a seeded order: the same input, seed and k give the same neighbours. */
    APPROX,
    /** {@link #EXACT} below {@link #CROSSOVER_ROWS} rows, {@link #APPROX} from there on. */
    AUTO;

    /**
     * Rows from which {@link #AUTO} searches approximately: by benchmarks/tsne/knn (k = 91, 50 dimensions,
     * 2 threads) the approximate search is already faster at 5,000 rows (0.7 s against 1.1 s) and 2.5x faster
     * at 40,000; below this both take under a second and the exact answer is kept.
     */
    public static final int CROSSOVER_ROWS = 5_000;

    /** The concrete method for {@code rows} rows: never {@link #AUTO}. */
    public NeighborMethod resolve(long rows) {
        if (this != AUTO) {
            return this;
        }
        return rows >= CROSSOVER_ROWS ? APPROX : EXACT;
    }
}
