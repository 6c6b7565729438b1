package dev.torchsight.tsne;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;

/** A caller's CSR similarity matrix, checked here, symmetrised and normalised in {@link SparseAffinities#fromMatrix}. */
final class PrecomputedAffinities extends Affinities {
    private final int n;
    private final long[] rowPtr;
    private final int[] cols;
    private final double[] vals;

    PrecomputedAffinities(int n, long[] rowPtr, int[] cols, double[] vals) {
        if (n < 5 || rowPtr.length != n + 1L || rowPtr[0] != 0 || rowPtr[n] != cols.length || cols.length != vals.length) {
            throw new TorchsightException(Kind.INPUT, n, "a precomputed P needs at least 5 rows, n+1 row pointers from "
                    + "0 to the entry count, and as many columns as values");
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (rowPtr[i + 1] < rowPtr[i]) {
                throw new TorchsightException(Kind.INPUT, i, "precomputed P: row pointers decrease at row " + i);
            }
            for (long e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                int j = cols[(int) e];
                double v = vals[(int) e];
                if (j < 0 || j >= n) {
                    throw new TorchsightException(Kind.INPUT, j, "precomputed P: row " + i + " has column " + j
                            + ", outside 0.." + (n - 1));
                }
                if (!(v >= 0) || !Double.isFinite(v)) {
                    throw new TorchsightException(Kind.INPUT, v, "precomputed P: row " + i + " has value " + v
                            + "; values must be non-negative and finite");
                }
                if (j != i) {
                    total += v;
                }
            }
        }
        if (!(total > 0)) {
            throw new TorchsightException(Kind.INPUT, total, "precomputed P has no positive off-diagonal entry");
        }
        this.n = n;
        this.rowPtr = rowPtr.clone();
        this.cols = cols.clone();
        this.vals = vals.clone();
    }

    @Override
    int neighbors(int count, TsneMethod method) {
        return 0;
    }

    @Override
    void validate(long count) {
        if (count != n) {
            throw new TorchsightException(Kind.INPUT, count, "the precomputed P has " + n + " rows but the data have "
                    + count);
        }
    }

    @Override
    SparseAffinities build(NearestNeighbors knn, int count, int threads) {
        return SparseAffinities.fromMatrix(n, rowPtr, cols, vals);
    }

    @Override
    double transformPerplexity() {
        return 30;
    }

    @Override
    public String toString() {
        return "precomputed";
    }
}
