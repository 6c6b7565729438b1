package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.DoublePointer;

/** The average of per-point Gaussians calibrated to several perplexities, then symmetrised. */
final class MultiscaleAffinities extends Affinities {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final double[] perplexities;

    MultiscaleAffinities(double[] perplexities) {
        if (perplexities.length == 0) {
            throw new TorchsightException(Kind.PERPLEXITY, 0, "multiscale affinities need at least one perplexity");
        }
        for (double p : perplexities) {
            requirePerplexity(p, -1);
        }
        this.perplexities = perplexities.clone();
    }

    private double largest() {
        return Arrays.stream(perplexities).max().orElseThrow();
    }

    @Override
    int neighbors(int n, TsneMethod method) {
        return neighborsFor(largest(), n);
    }

    @Override
    void validate(long n) {
        requirePerplexity(largest(), n);
    }

    @Override
    SparseAffinities build(NearestNeighbors knn, int n, int threads) {
        long len = (long) knn.n * knn.k;
        try (DoublePointer sum = new DoublePointer(len); DoublePointer one = new DoublePointer(len)) {
            sum.fill(0);
            int unconverged = 0;
            double[] row = new double[knn.k];
            double[] acc = new double[knn.k];
            for (double perplexity : perplexities) {
                unconverged = Math.max(unconverged, SparseAffinities.calibrate(knn, perplexity, threads, one));
                for (long start = 0; start < len; start += knn.k) {
                    one.position(start).get(row);
                    sum.position(start).get(acc);
                    for (int j = 0; j < knn.k; j++) {
                        acc[j] += row[j] / perplexities.length;
                    }
                    sum.position(start).put(acc);
                }
                one.position(0);
                sum.position(0);
            }
            return SparseAffinities.symmetrized(knn.indices, sum, knn.n, knn.k, unconverged, threads);
        }
    }

    @Override
    double transformPerplexity() {
        return largest();
    }

    @Override
    public String toString() {
        return "multiscale perplexities " + Arrays.stream(perplexities).mapToObj(Affinities::fmt)
                .collect(Collectors.joining(", "));
    }
}
