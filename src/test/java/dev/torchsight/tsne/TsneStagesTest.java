package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The separated stages: affinities, initialisation, schedule, callback, backends, kernel shape, memory plan. */
class TsneStagesTest {
    private static final FloatMatrix DATA = Clusters.sheets(600, 6, 7);
    private static final int[] LABELS = Clusters.labels(600, 6);

    private static Tsne.Builder base() {
        return Tsne.builder().optSeed(1).optThreads(2).optMethod(TsneMethod.BARNES_HUT);
    }

    @Test
    void aScheduleSpelledOutEqualsTheDefaultOne() {
        double[] standard = base().optIterations(300).build().fit(DATA, TsneProgress.NONE).coordinates();
        double[] spelled = base().optSchedule(List.of(new Phase(250, 12, 0.5), new Phase(50, 1, 0.8))).build()
                .fit(DATA, TsneProgress.NONE).coordinates();
        assertArrayEquals(standard, spelled, 0.0);
        double[] other = base().optSchedule(List.of(new Phase(250, 4, 0.5), new Phase(50, 1, 0.8))).build()
                .fit(DATA, TsneProgress.NONE).coordinates();
        assertFalse(java.util.Arrays.equals(standard, other), "the exaggeration of a phase matters");
    }

    @Test
    void aCallbackStopsTheRunAndKeepsThePartialEmbedding() {
        AtomicInteger calls = new AtomicInteger();
        List<double[]> seen = new ArrayList<>();
        Embedding stopped = base().optCheckEvery(25).optCallback(check -> {
            calls.incrementAndGet();
            seen.add(check.embedding().get());
            return check.iteration() < 100;
        }).build().fit(DATA, TsneProgress.NONE);
        assertTrue(stopped.stoppedByCallback());
        assertEquals(100, stopped.iterations());
        assertEquals(4, calls.get(), "checks at 25, 50, 75, 100");
        // The same 100 steps without a callback: the same coordinates, bit for bit.
        double[] hundred = base().optIterations(100).build().fit(DATA, TsneProgress.NONE).coordinates();
        assertArrayEquals(hundred, stopped.coordinates(), 0.0);
        assertArrayEquals(hundred, seen.get(3), 0.0, "the callback saw the embedding it stopped at");
    }

    @Test
    void everyCpuBackendIsDeterministicPerSeedAndThreadCount() {
        FloatMatrix data = Clusters.gaussian(1500, 20, 5, 3);
        for (TsneMethod method : new TsneMethod[] {TsneMethod.EXACT, TsneMethod.BARNES_HUT, TsneMethod.FFT}) {
            for (int threads = 1; threads <= 2; threads++) {
                Tsne tsne = Tsne.builder().optSeed(5).optThreads(threads).optMethod(method).optIterations(300).build();
                double[] a = tsne.fit(data, TsneProgress.NONE).coordinates();
                double[] b = tsne.fit(data, TsneProgress.NONE).coordinates();
                assertArrayEquals(a, b, 0.0, method + " with " + threads + " threads");
            }
        }
    }

    @Test
    void everyMethodSeparatesTheClassesInTwoAndThreeDimensions() {
        for (TsneMethod method : new TsneMethod[] {TsneMethod.EXACT, TsneMethod.BARNES_HUT, TsneMethod.FFT}) {
            Embedding e = base().optMethod(method).build().fit(DATA, TsneProgress.NONE);
            assertEquals(method, e.method());
            assertTrue(NeighborAccuracy.of(e, LABELS, 10) >= 0.95, method + " 2-D");
        }
        for (TsneMethod method : new TsneMethod[] {TsneMethod.EXACT, TsneMethod.BARNES_HUT}) {
            Embedding e = base().optMethod(method).optDimensions(3).build().fit(DATA, TsneProgress.NONE);
            assertEquals(3, e.dimensions());
            assertEquals(600 * 3, e.coordinates().length);
            double spreadZ = 0;
            for (int i = 0; i < e.size(); i++) {
                spreadZ = Math.max(spreadZ, Math.abs(e.z(i)));
            }
            assertTrue(spreadZ > 1, "the third axis is used: |z| up to " + spreadZ);
            assertTrue(NeighborAccuracy.of(e, LABELS, 10) >= 0.95, method + " 3-D");
        }
    }

    @Test
    void heavierTailsSeparateClustersFurther() {
        // Kobak et al. 2019: dof < 1 makes gaps between clusters wider relative to cluster size.
        FloatMatrix data = Clusters.gaussian(900, 20, 6, 11);
        int[] labels = Clusters.labels(900, 6);
        double standard = separation(base().build().fit(data, TsneProgress.NONE), labels);
        double heavy = separation(base().optDegreesOfFreedom(0.5).build().fit(data, TsneProgress.NONE), labels);
        System.out.printf("cluster separation (nearest other centre / mean radius): dof 1 %.2f, dof 0.5 %.2f%n",
                standard, heavy);
        assertTrue(heavy > 1.3 * standard, "dof 0.5 " + heavy + " vs dof 1 " + standard);
    }

    /** The median over clusters of (distance to the nearest other centre) / (mean distance to own centre). */
    private static double separation(Embedding e, int[] labels) {
        int classes = java.util.Arrays.stream(labels).max().orElse(0) + 1;
        double[][] centre = new double[classes][2];
        int[] count = new int[classes];
        for (int i = 0; i < e.size(); i++) {
            centre[labels[i]][0] += e.x(i);
            centre[labels[i]][1] += e.y(i);
            count[labels[i]]++;
        }
        double[] radius = new double[classes];
        for (int c = 0; c < classes; c++) {
            centre[c][0] /= count[c];
            centre[c][1] /= count[c];
        }
        for (int i = 0; i < e.size(); i++) {
            radius[labels[i]] += Math.hypot(e.x(i) - centre[labels[i]][0], e.y(i) - centre[labels[i]][1]) / count[labels[i]];
        }
        double[] ratio = new double[classes];
        for (int c = 0; c < classes; c++) {
            double nearest = Double.MAX_VALUE;
            for (int o = 0; o < classes; o++) {
                if (o != c) {
                    nearest = Math.min(nearest, Math.hypot(centre[c][0] - centre[o][0], centre[c][1] - centre[o][1]));
                }
            }
            ratio[c] = nearest / radius[c];
        }
        java.util.Arrays.sort(ratio);
        return ratio[classes / 2];
    }

    @Test
    void affinitiesAreInterchangeable() {
        for (Affinities a : new Affinities[] {Affinities.perplexity(20), Affinities.multiscale(5, 30),
                Affinities.uniform(15), Affinities.perplexity(20, 120)}) {
            Embedding e = base().optAffinities(a).build().fit(DATA, TsneProgress.NONE);
            assertTrue(NeighborAccuracy.of(e, LABELS, 10) >= 0.95, a.toString());
        }
    }

    @Test
    void oneScaleOfMultiscaleIsThePerplexityAffinity() {
        double[] single = base().optIterations(100).optAffinities(Affinities.perplexity(20)).build()
                .fit(DATA, TsneProgress.NONE).coordinates();
        double[] multi = base().optIterations(100).optAffinities(Affinities.multiscale(20)).build()
                .fit(DATA, TsneProgress.NONE).coordinates();
        assertArrayEquals(single, multi, 1e-9);
    }

    @Test
    void aPrecomputedKnnGraphGivesTheUniformAffinitiesOfThatGraph() {
        int n = 300;
        int k = 10;
        FloatMatrix data = Clusters.gaussian(n, 10, 3, 2);
        int[] graph = new int[n * k];
        // Brute-force neighbours in Java, independent of the library's search.
        for (int i = 0; i < n; i++) {
            double[] d = new double[n];
            Integer[] idx = new Integer[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < 10; c++) {
                    double diff = data.values()[i * 10 + c] - data.values()[j * 10 + c];
                    s += diff * diff;
                }
                d[j] = j == i ? Double.POSITIVE_INFINITY : s;
                idx[j] = j;
            }
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(d[a], d[b]));
            for (int m = 0; m < k; m++) {
                graph[i * k + m] = idx[m];
            }
        }
        // The expected P by hand: (A + A^T) / (2 n k) over the 0/1 adjacency A.
        double[][] expected = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int m = 0; m < k; m++) {
                expected[i][graph[i * k + m]] += 1.0 / (2.0 * n * k);
                expected[graph[i * k + m]][i] += 1.0 / (2.0 * n * k);
            }
        }
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            org.bytedeco.pytorch.Tensor x = org.bytedeco.pytorch.Tensor.create(data.values(), n, 10);
            try (NearestNeighbors knn = NearestNeighbors.search(x, k, 2);
                 SparseAffinities uniform = Affinities.uniform(k).build(knn, n, 2);
                 SparseAffinities given = Affinities.knnGraph(n, k, graph).build(null, n, 2)) {
                for (SparseAffinities p : new SparseAffinities[] {uniform, given}) {
                    long[] rowPtr = p.rowPtrArray();
                    int[] cols = p.colsArray();
                    double[] vals = p.valsArray();
                    int entries = 0;
                    for (int i = 0; i < n; i++) {
                        for (long e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                            assertEquals(expected[i][cols[(int) e]], vals[(int) e], 1e-15);
                            entries++;
                        }
                    }
                    long nonZero = java.util.Arrays.stream(expected).flatMapToDouble(java.util.Arrays::stream)
                            .filter(v -> v > 0).count();
                    assertEquals(nonZero, entries);
                }
            }
        }
        Embedding e = Tsne.builder().optSeed(1).optThreads(2).optAffinities(Affinities.knnGraph(n, k, graph)).build()
                .fit(data, TsneProgress.NONE);
        assertTrue(NeighborAccuracy.of(e, Clusters.labels(n, 3), 10) >= 0.95);
    }

    @Test
    void givenInitialCoordinatesAreTheStart() {
        double[] start = new double[600 * 2];
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < start.length; i++) {
            start[i] = r.nextGaussian() * 1e-4;
        }
        Embedding e = base().optIterations(1).optLearningRate(1e-12).optInitialization(Initialization.given(start))
                .build().fit(DATA, TsneProgress.NONE);
        assertArrayEquals(start, e.coordinates(), 1e-9);
        assertThrows(TorchsightException.class, () -> base().optInitialization(Initialization.given(new double[10]))
                .build().fit(DATA, TsneProgress.NONE));
    }

    @Test
    void aRunThatCannotFitInMemoryIsRefusedBeforeAnyWork() {
        TorchsightException e = assertThrows(TorchsightException.class, () -> base()
                .optMemoryLimitBytes(1 << 20).build().fit(DATA, TsneProgress.NONE));
        assertEquals(TorchsightException.Kind.MEMORY, e.kind());
        assertTrue(e.getMessage().contains("GiB"), e.getMessage());
    }

    @Test
    void fftIsTwoDimensionalOnly() {
        TorchsightException e = assertThrows(TorchsightException.class,
                () -> Tsne.builder().optMethod(TsneMethod.FFT).optDimensions(3).build());
        assertTrue(e.getMessage().contains("2-D"), e.getMessage());
        assertEquals(TsneMethod.BARNES_HUT, TsneMethod.AUTO.resolve(1_000_000, 3));
        assertEquals(TsneMethod.FFT, TsneMethod.AUTO.resolve(1_000_000, 2));
        assertEquals(TsneMethod.EXACT, TsneMethod.AUTO.resolve(500, 2));
    }
}
