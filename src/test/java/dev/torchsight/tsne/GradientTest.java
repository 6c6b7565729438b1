package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.Threads;
import dev.torchsight.io.FloatMatrix;
import java.util.Random;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Native gradients against a plain Java reference, and Barnes-Hut against exact. */
class GradientTest {
    private static final int THREADS = 2;

    /** kNN affinities of random clustered data, as the engine builds them. */
    private static SparseAffinities affinities(FloatMatrix data, int k, double perplexity) {
        Threads.current();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
            try (NearestNeighbors knn = NearestNeighbors.search(x, k, THREADS)) {
                return SparseAffinities.fromNeighbors(knn, perplexity, THREADS);
            }
        }
    }

    /** The textbook gradient: 4 * sum_j (exag * p_ij - q_ij) w_ij (y_i - y_j), with dense loops. */
    private static double[] referenceGradient(SparseAffinities p, double[] y, double exaggeration) {
        int n = p.n;
        double[][] dense = new double[n][n];
        long[] rowPtr = p.rowPtrArray();
        int[] cols = p.colsArray();
        double[] vals = p.valsArray();
        for (int i = 0; i < n; i++) {
            for (long e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                dense[i][cols[(int) e]] = vals[(int) e];
            }
        }
        double z = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    z += 1 / (1 + sq(y[2 * i] - y[2 * j]) + sq(y[2 * i + 1] - y[2 * j + 1]));
                }
            }
        }
        double[] grad = new double[2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double w = 1 / (1 + sq(y[2 * i] - y[2 * j]) + sq(y[2 * i + 1] - y[2 * j + 1]));
                double coeff = 4 * (exaggeration * dense[i][j] - w / z) * w;
                grad[2 * i] += coeff * (y[2 * i] - y[2 * j]);
                grad[2 * i + 1] += coeff * (y[2 * i + 1] - y[2 * j + 1]);
            }
        }
        return grad;
    }

    private static double sq(double v) {
        return v * v;
    }

    private static double[] gaussianEmbedding(int n, double scale, long seed) {
        Random r = new Random(seed);
        double[] y = new double[2 * n];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextGaussian() * scale + (i / 2 % 5) * scale;
        }
        return y;
    }

    private static double[] nativeGradient(SparseAffinities p, TsneMethod method, double theta, double[] y,
                                           double exaggeration) {
        try (DoublePointer yp = new DoublePointer(y); DoublePointer grad = new DoublePointer(y.length)) {
            new CpuGradientBackend(p, method, theta, THREADS).gradient(yp, exaggeration, grad);
            double[] out = new double[y.length];
            grad.get(out);
            return out;
        }
    }

    private static double relativeError(double[] actual, double[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            num += sq(actual[i] - expected[i]);
            den += sq(expected[i]);
        }
        return Math.sqrt(num / den);
    }

    @Test
    void exactGradientMatchesPlainJavaReference() {
        FloatMatrix data = Clusters.gaussian(400, 12, 4, 11);
        try (SparseAffinities p = affinities(data, 61, 20)) {
            for (double exaggeration : new double[] {1, 12}) {
                double[] y = gaussianEmbedding(400, 3, 5);
                double[] expected = referenceGradient(p, y, exaggeration);
                double[] actual = nativeGradient(p, TsneMethod.EXACT, 0, y, exaggeration);
                double err = relativeError(actual, expected);
                assertTrue(err < 1e-5, "exact vs reference relative error " + err);
            }
        }
    }

    @Test
    void barnesHutThetaZeroEqualsExactAndHalfIsClose() {
        FloatMatrix data = Clusters.gaussian(3000, 20, 6, 21);
        try (SparseAffinities p = affinities(data, 91, 30)) {
            // A spread-out embedding (late optimisation) and a compact one (early exaggeration).
            for (double scale : new double[] {10, 1e-2}) {
                double[] y = gaussianEmbedding(3000, scale, 9);
                double[] exact = nativeGradient(p, TsneMethod.EXACT, 0, y, 1);
                double errZero = relativeError(nativeGradient(p, TsneMethod.BARNES_HUT, 0, y, 1), exact);
                assertTrue(errZero < 1e-10, "theta=0 vs exact " + errZero);
                double errHalf = relativeError(nativeGradient(p, TsneMethod.BARNES_HUT, 0.5, y, 1), exact);
                assertTrue(errHalf < 2e-2, "theta=0.5 vs exact " + errHalf + " at scale " + scale);
            }
        }
    }

    @Test
    void barnesHutRepulsionOnAnOptimisedEmbeddingIsClose() {
        // Near convergence attraction and repulsion cancel, so the net gradient's relative error is
        // not a measure of the approximation; exaggeration 0 isolates the repulsive field -4 F_rep / Z,
        // which is exactly what Barnes-Hut approximates.
        FloatMatrix data = Clusters.gaussian(2000, 20, 5, 4);
        double[] y = Tsne.builder().optMethod(TsneMethod.BARNES_HUT).optIterations(400).build()
                .fit(data, TsneProgress.NONE).coordinates();
        try (SparseAffinities p = affinities(data, 91, 30)) {
            double[] exact = nativeGradient(p, TsneMethod.EXACT, 0, y, 0);
            double err = relativeError(nativeGradient(p, TsneMethod.BARNES_HUT, 0.5, y, 0), exact);
            assertTrue(err < 2e-2, "theta=0.5 vs exact repulsion on a t-SNE embedding " + err);
            double errZero = relativeError(nativeGradient(p, TsneMethod.BARNES_HUT, 0, y, 1),
                    nativeGradient(p, TsneMethod.EXACT, 0, y, 1));
            assertTrue(errZero < 1e-10, "theta=0 vs exact on a t-SNE embedding " + errZero);
        }
    }

    @Test
    void klDivergenceMatchesJavaReference() {
        FloatMatrix data = Clusters.gaussian(500, 10, 4, 3);
        try (SparseAffinities p = affinities(data, 46, 15)) {
            double[] y = gaussianEmbedding(500, 2, 6);
            long[] rowPtr = p.rowPtrArray();
            int[] cols = p.colsArray();
            double[] vals = p.valsArray();
            double z = 0;
            for (int i = 0; i < 500; i++) {
                for (int j = 0; j < 500; j++) {
                    if (i != j) {
                        z += 1 / (1 + sq(y[2 * i] - y[2 * j]) + sq(y[2 * i + 1] - y[2 * j + 1]));
                    }
                }
            }
            double expected = 0;
            for (int i = 0; i < 500; i++) {
                for (long e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                    int j = cols[(int) e];
                    double q = 1 / (1 + sq(y[2 * i] - y[2 * j]) + sq(y[2 * i + 1] - y[2 * j + 1])) / z;
                    expected += vals[(int) e] * Math.log(vals[(int) e] / q);
                }
            }
            try (DoublePointer yp = new DoublePointer(y)) {
                CpuGradientBackend backend = new CpuGradientBackend(p, TsneMethod.EXACT, 0, THREADS);
                double nativeZ = backend.exactNormalization(yp);
                assertEquals(z, nativeZ, 1e-10 * z, "exact normalisation");
                assertEquals(expected, backend.klDivergence(yp, nativeZ), 1e-10 * expected, "KL");
            }
        }
    }

    @Test
    void everyRowReachesThePerplexityAndPIsASymmetricDistribution() {
        FloatMatrix data = Clusters.gaussian(1500, 30, 8, 2);
        Threads.current();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
            for (double perplexity : new double[] {5, 30, 50}) {
                int k = (int) Math.floor(3 * perplexity) + 1;
                try (NearestNeighbors knn = NearestNeighbors.search(x, k, THREADS)) {
                    double[] conditional = SparseAffinities.conditional(knn, perplexity, THREADS);
                    for (int i = 0; i < knn.n; i++) {
                        double entropy = 0;
                        double sum = 0;
                        for (int j = 0; j < k; j++) {
                            double pj = conditional[i * k + j];
                            sum += pj;
                            if (pj > 0) {
                                entropy -= pj * Math.log(pj);
                            }
                        }
                        assertEquals(1.0, sum, 1e-12, "row " + i + " sums to 1");
                        assertEquals(perplexity, Math.exp(entropy), 1e-4, "row " + i + " perplexity");
                    }
                    try (SparseAffinities p = SparseAffinities.fromNeighbors(knn, perplexity, THREADS)) {
                        assertEquals(0, p.unconvergedRows);
                        assertSymmetricDistribution(p);
                    }
                }
            }
        }
    }

    private static void assertSymmetricDistribution(SparseAffinities p) {
        long[] rowPtr = p.rowPtrArray();
        int[] cols = p.colsArray();
        double[] vals = p.valsArray();
        java.util.Map<Long, Double> entries = new java.util.HashMap<>();
        double total = 0;
        for (int i = 0; i < p.n; i++) {
            for (long e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                entries.put((long) i * p.n + cols[(int) e], vals[(int) e]);
                total += vals[(int) e];
                if (e > rowPtr[i]) {
                    assertTrue(cols[(int) e] > cols[(int) e - 1], "sorted, unique columns");
                }
            }
        }
        assertEquals(1.0, total, 1e-9, "P sums to 1");
        for (var entry : entries.entrySet()) {
            long i = entry.getKey() / p.n;
            long j = entry.getKey() % p.n;
            assertEquals(entry.getValue(), entries.get(j * p.n + i), 0.0, "P symmetric at " + i + "," + j);
        }
    }

    @Test
    void nearestNeighboursMatchBruteForce() {
        FloatMatrix data = Clusters.gaussian(700, 9, 3, 8);
        Threads.current();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
            int k = 15;
            try (NearestNeighbors knn = NearestNeighbors.search(x, k, THREADS)) {
                long[] idx = new long[700 * k];
                knn.indices.get(idx);
                double[] d = new double[700 * k];
                knn.distancesSq.get(d);
                for (int i = 0; i < 700; i++) {
                    double[] all = new double[700];
                    for (int j = 0; j < 700; j++) {
                        double s = 0;
                        for (int c = 0; c < 9; c++) {
                            double diff = (double) data.values()[i * 9 + c] - data.values()[j * 9 + c];
                            s += diff * diff;
                        }
                        all[j] = j == i ? Double.POSITIVE_INFINITY : s;
                    }
                    double kth = java.util.Arrays.stream(all).sorted().toArray()[k - 1];
                    for (int m = 0; m < k; m++) {
                        int j = (int) idx[i * k + m];
                        assertTrue(j != i, "self excluded");
                        assertTrue(all[j] <= kth * (1 + 1e-5), "neighbour within the k nearest");
                        assertEquals(all[j], d[i * k + m], 1e-9 * Math.max(1, all[j]), "exact distance");
                    }
                }
            }
        }
    }
}
