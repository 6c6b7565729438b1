package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import org.bytedeco.javacpp.DoublePointer;

/** Each point's k nearest neighbours with weight 1/k, symmetrised. */
final class UniformAffinities extends Affinities {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final int k;

    UniformAffinities(int k) {
        if (k < 1) {
            throw new TorchsightException(Kind.PERPLEXITY, k, "uniform affinities need at least 1 neighbour, got " + k);
        }
        this.k = k;
    }

    @Override
    int neighbors(int n, TsneMethod method) {
        return k;
    }

    @Override
    void validate(long n) {
        if (n < k + 1L || n < 5) {
            throw new TorchsightException(Kind.INPUT, n, "uniform affinities over " + k + " neighbours need at least "
                    + Math.max(5, k + 1) + " rows, got " + n + "; use fewer neighbours");
        }
    }

    @Override
    SparseAffinities build(NearestNeighbors knn, int n, int threads) {
        long len = (long) knn.n * knn.k;
        try (DoublePointer conditional = new DoublePointer(len)) {
            conditional.fill(0);
            double[] row = new double[knn.k];
            java.util.Arrays.fill(row, 1.0 / knn.k);
            for (long start = 0; start < len; start += knn.k) {
                conditional.position(start).put(row);
            }
            conditional.position(0);
            return SparseAffinities.symmetrized(knn.indices, conditional, knn.n, knn.k, 0, threads);
        }
    }

    @Override
    double transformPerplexity() {
        return Math.max(1, (k - 1) / 3.0);
    }

    @Override
    public String toString() {
        return "uniform over " + k + " neighbours";
    }
}
