package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.Threads;
import dev.torchsight.io.FloatMatrix;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The locality reordering of large CPU fits: a relabelling of P, invisible to the caller. */
class LocalityOrderTest {
    private static final int N = 1000;
    private static final int CLUSTERS = 5;

    private static SparseAffinities affinities(FloatMatrix data, int threads) {
        Threads.current();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
            try (NearestNeighbors knn = NearestNeighbors.search(x, 90, threads)) {
                return SparseAffinities.fromNeighbors(knn, 30, threads);
            }
        }
    }

    private static double[] initial(int n, long seed) {
        Random r = new Random(seed);
        double[] y = new double[2 * n];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextGaussian() * 1e-4;
        }
        return y;
    }

    private record Fit(double[] embedding, double kl) { }

    private static Fit fit(SparseAffinities p, double[] initial, int iterations, int threads, boolean reorder) {
        Schedule schedule = new Schedule(Schedule.standard(iterations, 12, 250, 0.5, 1, 0.8),
                Schedule.autoLearningRate(p.n, 12), 0.01, 1e-7, 50, iterations);
        try (CpuSession session = new CpuSession(p, new BarnesHutRepulsion(0.5), KernelShape.STANDARD, threads,
                initial, reorder)) {
            Optimizer.Outcome outcome = new Optimizer(schedule).run(session, TsneProgress.NONE, TsneCallback.NONE,
                    () -> 0);
            return new Fit(session.embedding(), session.klDivergence(outcome.lastNormalization()));
        }
    }

    /** Fraction of points whose nearest other point in the map has their label (brute force). */
    private static double nearestSameLabel(double[] y, int[] labels) {
        int n = labels.length;
        int same = 0;
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int j = 0; j < n; j++) {
                double dx = y[2 * i] - y[2 * j];
                double dy = y[2 * i + 1] - y[2 * j + 1];
                double d = dx * dx + dy * dy;
                if (j != i && d < bestD) {
                    bestD = d;
                    best = j;
                }
            }
            same += labels[best] == labels[i] ? 1 : 0;
        }
        return same / (double) n;
    }

    @Test
    void thePermutedMatrixHoldsTheSameEntriesUnderTheNewLabels() {
        try (SparseAffinities p = affinities(Clusters.gaussian(N, 20, CLUSTERS, 3), 2)) {
            LocalityOrder order = LocalityOrder.of(p);
            // order as an array: where each point went, read back through fromCaller on the identity.
            double[] ids = new double[N];
            for (int i = 0; i < N; i++) {
                ids[i] = i;
            }
            double[] placed = order.fromCaller(ids, 1);
            int[] old = new int[N];
            boolean[] hit = new boolean[N];
            for (int r = 0; r < N; r++) {
                old[r] = (int) placed[r];
                hit[old[r]] = true;
            }
            for (boolean h : hit) {
                assertTrue(h, "a permutation");
            }
            assertArrayEquals(ids, order.toCaller(placed, 1), 0.0, "toCaller undoes fromCaller");
            int[] rank = new int[N];
            for (int r = 0; r < N; r++) {
                rank[old[r]] = r;
            }
            long[] ptr = p.rowPtrArray();
            int[] cols = p.colsArray();
            double[] vals = p.valsArray();
            try (SparseAffinities q = order.permute(p, 2)) {
                assertEquals(p.nnz, q.nnz);
                long[] qPtr = q.rowPtrArray();
                int[] qCols = q.colsArray();
                double[] qVals = q.valsArray();
                long span = 0;
                long spanBefore = 0;
                for (int r = 0; r < N; r++) {
                    int i = old[r];
                    assertEquals(ptr[i + 1] - ptr[i], qPtr[r + 1] - qPtr[r], "row length");
                    for (long e = qPtr[r]; e < qPtr[r + 1]; e++) {
                        if (e > qPtr[r]) {
                            assertTrue(qCols[(int) e] > qCols[(int) e - 1], "sorted, distinct columns");
                        }
                        int j = old[qCols[(int) e]];
                        int at = Arrays.binarySearch(cols, (int) ptr[i], (int) ptr[i + 1], j);
                        assertTrue(at >= 0, "entry (" + i + ", " + j + ") exists in P");
                        assertEquals(vals[at], qVals[(int) e], 0.0);
                        span += Math.abs(qCols[(int) e] - r);
                        spanBefore += Math.abs(j - i);
                    }
                }
                // Points of a class are interleaved (label i % 5), so P's neighbours lie ~N/3 apart before;
                // the breadth-first order keeps each class together.
                assertTrue(span * 2 < spanBefore, "neighbours closer in index: " + span + " vs " + spanBefore);
            }
        }
    }

    @Test
    void aReorderedFitMatchesTheFitInTheCallersOrder() {
        FloatMatrix data = Clusters.gaussian(N, 20, CLUSTERS, 3);
        int[] labels = Clusters.labels(N, CLUSTERS);
        for (int threads = 1; threads <= 2; threads++) {
            try (SparseAffinities p = affinities(data, threads)) {
                double[] y0 = initial(N, 11 + threads);
                // Early on the two runs differ only by rounding (measured: 7e-13 of the map's extent).
                double[] plainShort = fit(p, y0, 30, threads, false).embedding();
                double[] orderedShort = fit(p, y0, 30, threads, true).embedding();
                double scale = Arrays.stream(plainShort).map(Math::abs).max().orElse(1);
                for (int i = 0; i < plainShort.length; i++) {
                    assertEquals(plainShort[i], orderedShort[i], 1e-9 * scale, "coordinate " + i);
                }
                Fit plain = fit(p, y0, 400, threads, false);
                Fit ordered = fit(p, y0, 400, threads, true);
                Fit again = fit(p, y0, 400, threads, true);
                assertArrayEquals(ordered.embedding(), again.embedding(), 0.0, "deterministic");
                assertEquals(plain.kl(), ordered.kl(), 0.02 * plain.kl(), "KL");  // measured: within 0.3%
                // Coordinates in the caller's order: each point's nearest neighbour in the map is of its class.
                assertTrue(nearestSameLabel(plain.embedding(), labels) >= 0.95);
                assertTrue(nearestSameLabel(ordered.embedding(), labels) >= 0.95);
            }
        }
    }
}
