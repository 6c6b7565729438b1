package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.internal.TorchsightNative;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.DoublePointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The FFT-interpolated repulsion (tsne_repulsion_fft, FIt-SNE's scheme with its defaults: 3 nodes per
 * interval, 1 interval per unit, at least 50 intervals) against an exact double-precision sum over all
 * pairs, for compact and spread maps, degrees of freedom 1, 0.5 and 2, the same set and separate source
 * and target sets; plus determinism and the failure path.
 *
 * <p>Errors are relative over all points: ||rep_fft - rep_exact|| / ||rep_exact|| for the forces and
 * |Z_fft - Z_exact| / Z_exact for the normalisation. Largest values measured over seeds 1..8 (3,000
 * points in 10 blobs; 800 separate targets), all three dof: forces 3.6e-6 at range +-1, 9.4e-4 at +-10,
 * 5.9e-2 at +-50 (the interpolation error of 3 nodes per unit interval, which FIt-SNE's own formulation
 * shares: 3.3e-2 on such a +-50 map in double precision); Z 5.6e-6 up to +-10, 3.2e-4 at +-50. Each bound
 * leaves at least a 2x margin over the largest value measured.
 */
class FftRepulsionTest {
    private static final int THREADS = 2;

    @BeforeAll
    static void load() {
        NativeLibrary.ensureLoaded();
        assertEquals(1, TorchsightNative.tsne_fft_available(), "the native gate loads libfftw3f from the fftw preset");
    }

    /** 10 Gaussian blobs on a ring of radius 0.6 spread, each 0.12 spread wide: a final t-SNE map's layout. */
    static double[] blobs(int n, double spread, long seed) {
        Random r = new Random(seed);
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = 2 * Math.PI * (i % 10) / 10;
            y[2 * i] = spread * (0.6 * Math.cos(angle) + 0.12 * r.nextGaussian());
            y[2 * i + 1] = spread * (0.6 * Math.sin(angle) + 0.12 * r.nextGaussian());
        }
        return y;
    }

    /** Exact {rep (2 nTgt), zRow (nTgt)} in double: w = (1 + d^2/dof)^-dof, force kernel w^((dof+1)/dof). */
    static double[][] exact(double dof, double[] src, double[] tgt, boolean sameSet) {
        int nSrc = src.length / 2;
        int nTgt = tgt.length / 2;
        double[] rep = new double[2 * nTgt];
        double[] z = new double[nTgt];
        java.util.stream.IntStream.range(0, nTgt).parallel().forEach(t -> {
            double fx = 0;
            double fy = 0;
            double zt = 0;
            for (int s = 0; s < nSrc; s++) {
                if (sameSet && s == t) {
                    continue;
                }
                double dx = tgt[2 * t] - src[2 * s];
                double dy = tgt[2 * t + 1] - src[2 * s + 1];
                double base = 1 + (dx * dx + dy * dy) / dof;
                double w = dof == 1 ? 1 / base : Math.pow(base, -dof);
                double k2 = w / base;
                fx += k2 * dx;
                fy += k2 * dy;
                zt += w;
            }
            rep[2 * t] = fx;
            rep[2 * t + 1] = fy;
            z[t] = zt;
        });
        return new double[][] {rep, z};
    }

    /** {rep, zRow, {returned Z}} from the native call with FIt-SNE's default parameters. */
    static double[][] fft(double dof, double[] src, double[] tgt, boolean sameSet, int threads) {
        int nSrc = src.length / 2;
        int nTgt = tgt.length / 2;
        try (DoublePointer s = new DoublePointer(src); DoublePointer t = sameSet ? null : new DoublePointer(tgt);
             DoublePointer rep = new DoublePointer(2L * nTgt); DoublePointer z = new DoublePointer(nTgt)) {
            double total = TorchsightNative.tsne_repulsion_fft(2, dof, 3, 1.0, 50, nSrc, s, nTgt, sameSet ? s : t,
                    sameSet ? 1 : 0, rep, z, threads);
            double[] r = new double[2 * nTgt];
            double[] zr = new double[nTgt];
            rep.get(r);
            z.get(zr);
            return new double[][] {r, zr, {total}};
        }
    }

    static double relativeError(double[] actual, double[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            den += expected[i] * expected[i];
        }
        return Math.sqrt(num / den);
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    /** Force bound by map range: the interpolation error grows with the node spacing relative to the kernel. */
    private static double forceBound(double spread) {
        return spread <= 1 ? 1e-5 : spread <= 10 ? 2e-3 : 0.12;
    }

    private static double zBound(double spread) {
        return spread <= 10 ? 2e-5 : 1e-3;
    }

    private static void check(String what, double dof, double spread, double[] src, double[] tgt, boolean sameSet) {
        double[][] expected = exact(dof, src, tgt, sameSet);
        double[][] actual = fft(dof, src, tgt, sameSet, THREADS);
        double forceError = relativeError(actual[0], expected[0]);
        double zError = Math.abs(sum(actual[1]) - sum(expected[1])) / sum(expected[1]);
        System.out.printf("fft %s dof=%.1f spread=%.0f: force %.2e, Z %.2e%n", what, dof, spread, forceError, zError);
        assertTrue(forceError < forceBound(spread), what + " forces vs exact " + forceError + " (dof " + dof
                + ", spread " + spread + ")");
        assertTrue(zError < zBound(spread), what + " Z vs exact " + zError + " (dof " + dof
                + ", spread " + spread + ")");
        assertEquals(sum(actual[1]), actual[2][0], Math.abs(sum(actual[1])) * 1e-12, "returned Z is the sum of rows");
    }

    @Test
    void sameSetMatchesTheExactSum() {
        for (long seed = 1; seed <= 2; seed++) {
            for (double spread : new double[] {1, 10, 50}) {
                double[] y = blobs(3000, spread, seed);
                for (double dof : new double[] {1, 0.5, 2}) {
                    check("same set", dof, spread, y, y, true);
                }
            }
        }
    }

    @Test
    void separateTargetsMatchTheExactSum() {
        // New points placed into a fixed map: targets partly outside the sources' range.
        for (double spread : new double[] {1, 50}) {
            double[] src = blobs(3000, spread, 5);
            double[] tgt = blobs(800, spread * 1.3, 6);
            for (double dof : new double[] {1, 0.5}) {
                check("separate sets", dof, spread, src, tgt, false);
            }
        }
    }

    @Test
    void repeatsBitForBitAndDoesNotDependOnTheThreadCount() {
        double[] y = blobs(4000, 40, 3);
        double[][] first = fft(1, y, y, true, 2);
        double[][] second = fft(1, y, y, true, 2);
        double[][] single = fft(1, y, y, true, 1);
        assertArrayEquals(first[0], second[0], 0.0, "same call, same bits");
        assertArrayEquals(first[1], second[1], 0.0);
        // Boxes own their nodes and every row goes through the same plan: no thread-dependent sums.
        assertArrayEquals(first[0], single[0], 0.0, "1 and 2 threads");
        assertArrayEquals(first[1], single[1], 0.0);
        // Fresh buffers (and kernel spectra) give the same bits as reused ones.
        TorchsightNative.tsne_fft_release_workspaces();
        assertArrayEquals(first[0], fft(1, y, y, true, 2)[0], 0.0, "after releasing the workspaces");
    }

    @Test
    void degenerateInputsStayFinite() {
        // One point; all points on one spot; a single source for many targets.
        double[] one = {3, 4};
        double[][] r = fft(1, one, one, true, THREADS);
        assertEquals(0, r[1][0], 1e-6, "a lone point has no repulsion");
        assertEquals(0, r[0][0], 1e-6);
        double[] same = new double[200];
        java.util.Arrays.fill(same, 7.5);
        r = fft(1, same, same, true, THREADS);
        assertEquals(99, r[1][0], 1e-4, "99 coincident partners, w = 1 each");
        for (double v : r[0]) {
            assertEquals(0, v, 1e-5, "no net force between coincident points");
        }
    }

    @Test
    void unsupportedArgumentsReturnNaN() {
        double[] y = blobs(100, 5, 1);
        try (DoublePointer p = new DoublePointer(y); DoublePointer rep = new DoublePointer(300L);
             DoublePointer z = new DoublePointer(100L)) {
            assertTrue(Double.isNaN(TorchsightNative.tsne_repulsion_fft(3, 1, 3, 1, 50, 100, p, 100, p, 1, rep, z, 1)),
                    "dims 3 is not supported");
            assertTrue(Double.isNaN(TorchsightNative.tsne_repulsion_fft(2, 1, 9, 1, 50, 100, p, 100, p, 1, rep, z, 1)),
                    "more than 8 nodes per interval");
            assertTrue(Double.isNaN(TorchsightNative.tsne_repulsion_fft(2, 0, 3, 1, 50, 100, p, 100, p, 1, rep, z, 1)),
                    "dof must be positive");
        }
    }

    /**
     * The CUDA session's FFT path (TSNE_CUDA_FFT) run on the host: its per-point functions, layout and point
     * order with FFTW's transforms. Against the exact sum, and against the CPU call with the same parameters,
     * which shares the arithmetic (the two agree to the last bit here: the same host code).
     */
    @Test
    void cudaFftEmulationMatchesTheExactSum() {
        for (double spread : new double[] {1, 10, 50}) {
            double[] y = blobs(3000, spread, 11);
            double[][] expected = exact(1, y, y, true);
            int n = y.length / 2;
            try (DoublePointer p = new DoublePointer(y); DoublePointer rep = new DoublePointer(2L * n);
                 DoublePointer z = new DoublePointer(n)) {
                double total = TorchsightNative.tsne_cuda_emulated_fft_repulsion(n, p, rep, z, THREADS);
                double[] r = new double[2 * n];
                rep.get(r);
                double forceError = relativeError(r, expected[0]);
                double zError = Math.abs(total - sum(expected[1])) / sum(expected[1]);
                assertTrue(forceError < forceBound(spread), "emulated forces " + forceError + " at spread " + spread);
                assertTrue(zError < zBound(spread), "emulated Z " + zError + " at spread " + spread);
                assertArrayEquals(fft(1, y, y, true, THREADS)[0], r, 0.0, "the CPU call with FIt-SNE's defaults");
            }
        }
    }

    /** Without the fftw preset on the class path the call returns NaN and reports FFTW unavailable: no crash. */
    @Test
    void withoutFftwTheCallFailsCleanly() throws Exception {
        String surefire = System.getProperty("surefire.test.class.path");
        String classPath = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        String withoutFftw = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.contains(File.separator + "fftw" + File.separator))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", withoutFftw, FftWithoutFftw.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the child JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=0 result=NaN"), out);
    }
}
