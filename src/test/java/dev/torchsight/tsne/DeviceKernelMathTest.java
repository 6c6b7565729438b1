package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.internal.TorchsightNative;
import java.util.Random;
import org.bytedeco.javacpp.DoublePointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's per-thread functions (tsne_kernels.h), run on the host: the exact-tile repulsion, the
 * implicit-quadtree Barnes-Hut walk, and the update and KL bodies the CPU backend shares with the kernels,
 * each against a plain Java reference.
 */
class DeviceKernelMathTest {
    private static final int THREADS = 2;

    @BeforeAll
    static void load() {
        NativeLibrary.ensureLoaded();
    }

    /** rep (2n) and z (n) summed in double over all pairs: the textbook repulsion. */
    private static double[][] referenceRepulsion(double[] y) {
        int n = y.length / 2;
        double[] rep = new double[2 * n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double dx = y[2 * i] - y[2 * j];
                double dy = y[2 * i + 1] - y[2 * j + 1];
                double w = 1 / (1 + dx * dx + dy * dy);
                rep[2 * i] += w * w * dx;
                rep[2 * i + 1] += w * w * dy;
                z[i] += w;
            }
        }
        return new double[][] {rep, z};
    }

    private static double[][] emulated(int algorithm, double[] y, double theta) {
        int n = y.length / 2;
        try (DoublePointer yp = new DoublePointer(y); DoublePointer rep = new DoublePointer(2L * n);
             DoublePointer z = new DoublePointer(n)) {
            double total = TorchsightNative.tsne_cuda_emulated_repulsion(algorithm, n, yp, theta, rep, z, THREADS);
            double[] r = new double[2 * n];
            double[] zr = new double[n];
            rep.get(r);
            z.get(zr);
            double sum = 0;
            for (double v : zr) {
                sum += v;
            }
            assertEquals(sum, total, Math.abs(sum) * 1e-12, "returned Z is the sum of the rows");
            return new double[][] {r, zr};
        }
    }

    private static double relativeError(double[] actual, double[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            den += expected[i] * expected[i];
        }
        return Math.sqrt(num / den);
    }

    /** Clustered 2-D points: five blobs of the given spread, a layout like a t-SNE map. */
    private static double[] clusteredEmbedding(int n, double spread, long seed) {
        Random r = new Random(seed);
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = 2 * Math.PI * (i % 5) / 5;
            y[2 * i] = 8 * spread * Math.cos(angle) + spread * r.nextGaussian();
            y[2 * i + 1] = 8 * spread * Math.sin(angle) + spread * r.nextGaussian();
        }
        return y;
    }

    @Test
    void exactTilesMatchTheDoubleReference() {
        // 1,000 points: three full tiles of 256 and a partial one.
        for (double spread : new double[] {5, 1e-3}) {
            double[] y = clusteredEmbedding(1000, spread, 3);
            double[][] expected = referenceRepulsion(y);
            double[][] actual = emulated(TorchsightNative.TSNE_CUDA_EXACT_TILES, y, 0);
            double forceError = relativeError(actual[0], expected[0]);
            double zError = relativeError(actual[1], expected[1]);
            assertTrue(forceError < 1e-5, "tile forces vs reference " + forceError + " at spread " + spread);
            assertTrue(zError < 1e-6, "tile Z rows vs reference " + zError + " at spread " + spread);
        }
    }

    @Test
    void treeWithThetaZeroIsExact() {
        double[] y = clusteredEmbedding(3000, 4, 8);
        double[][] expected = referenceRepulsion(y);
        double[][] actual = emulated(TorchsightNative.TSNE_CUDA_TREE, y, 0);
        assertTrue(relativeError(actual[0], expected[0]) < 1e-12, "forces " + relativeError(actual[0], expected[0]));
        assertTrue(relativeError(actual[1], expected[1]) < 1e-12, "Z rows " + relativeError(actual[1], expected[1]));
    }

    @Test
    void treeWithThetaHalfIsAsAccurateAsTheCpuBarnesHut() {
        for (double spread : new double[] {10, 1e-2}) {
            double[] y = clusteredEmbedding(4000, spread, 12);
            double[][] expected = referenceRepulsion(y);
            double[][] actual = emulated(TorchsightNative.TSNE_CUDA_TREE, y, 0.5);
            double forceError = relativeError(actual[0], expected[0]);
            double zError = Math.abs(sum(actual[1]) - sum(expected[1])) / sum(expected[1]);
            double cpuError = relativeError(cpuBarnesHutRepulsion(y, 0.5), expected[0]);
            // Per-point opening criterion: about twice the error of the CPU's grouped walk (conservative for
            // a whole group), the accuracy of the usual per-point Barnes-Hut.
            assertTrue(forceError < 2e-2 && forceError < 2.5 * cpuError,
                    "tree theta=0.5 forces vs exact " + forceError + " (CPU Barnes-Hut " + cpuError + ") at spread " + spread);
            assertTrue(zError < 1e-2, "tree theta=0.5 Z vs exact " + zError + " at spread " + spread);
            // A wider opening angle must cost accuracy: the criterion is really applied.
            double coarse = relativeError(emulated(TorchsightNative.TSNE_CUDA_TREE, y, 1.2)[0], expected[0]);
            assertTrue(coarse > forceError, "theta 1.2 (" + coarse + ") less accurate than 0.5 (" + forceError + ")");
        }
    }

    @Test
    void treeHandlesDuplicatesOutliersAndACollapsedMap() {
        int n = 600;
        double[] y = clusteredEmbedding(n, 1, 4);
        for (int i = 0; i < 200; i++) {  // a third of the points on one spot: a deepest cell with many points
            y[2 * i] = 0.25;
            y[2 * i + 1] = -0.5;
        }
        y[2 * 599] = 1e6;  // an outlier stretches the box so the clusters share deep cells
        double[][] expected = referenceRepulsion(y);
        double[][] actual = emulated(TorchsightNative.TSNE_CUDA_TREE, y, 0);
        assertTrue(relativeError(actual[0], expected[0]) < 1e-12, "duplicates and outlier, theta 0");
        assertTrue(relativeError(actual[1], expected[1]) < 1e-12, "duplicates and outlier Z, theta 0");
        double[][] half = emulated(TorchsightNative.TSNE_CUDA_TREE, y, 0.5);
        assertTrue(relativeError(half[1], expected[1]) < 1e-2, "duplicates and outlier Z, theta 0.5");

        double[] collapsed = new double[2 * 50];  // every point identical: the box has no extent
        java.util.Arrays.fill(collapsed, 3.0);
        double[][] still = emulated(TorchsightNative.TSNE_CUDA_TREE, collapsed, 0.5);
        for (int i = 0; i < 50; i++) {
            assertEquals(49.0, still[1][i], 0.0, "each point sees 49 others at distance 0");
            assertEquals(0.0, still[0][2 * i], 0.0);
        }
    }

    @Test
    void updateFollowsTheGainsAndMomentumRule() {
        Random r = new Random(7);
        int len = 5000;
        double[] y = new double[len];
        double[] update = new double[len];
        double[] gains = new double[len];
        double[] grad = new double[len];
        for (int c = 0; c < len; c++) {
            y[c] = r.nextGaussian();
            update[c] = r.nextGaussian() * 0.1;
            gains[c] = c % 7 == 0 ? 0.0105 : 0.5 + r.nextDouble();
            grad[c] = r.nextGaussian();
        }
        double momentum = 0.8;
        double lr = 200;
        double minGain = 0.01;
        double[] ey = y.clone();
        double[] eu = update.clone();
        double[] eg = gains.clone();
        double norm = 0;
        for (int c = 0; c < len; c++) {  // scikit-learn's _gradient_descent, one step
            boolean signChanged = eu[c] * grad[c] < 0;
            eg[c] = Math.max(signChanged ? eg[c] + 0.2 : eg[c] * 0.8, minGain);
            eu[c] = momentum * eu[c] - lr * eg[c] * grad[c];
            ey[c] += eu[c];
            norm += (eg[c] * grad[c]) * (eg[c] * grad[c]);
        }
        try (DoublePointer yp = new DoublePointer(y); DoublePointer up = new DoublePointer(update);
             DoublePointer gp = new DoublePointer(gains); DoublePointer dp = new DoublePointer(grad)) {
            double actualNorm = TorchsightNative.tsne_update(len, yp, up, gp, dp, momentum, lr, minGain, THREADS);
            assertEquals(Math.sqrt(norm), actualNorm, 1e-12 * Math.sqrt(norm));
            double[] ay = new double[len];
            double[] au = new double[len];
            double[] ag = new double[len];
            yp.get(ay);
            up.get(au);
            gp.get(ag);
            assertArrayEquals(eg, ag, 0.0, "gains");
            assertArrayEquals(eu, au, 1e-12, "update");
            assertArrayEquals(ey, ay, 1e-12, "y");
        }
    }

    /** The CPU backend's Barnes-Hut repulsion sum_j w^2 (y_i - y_j). */
    private static double[] cpuBarnesHutRepulsion(double[] y, double theta) {
        int n = y.length / 2;
        try (DoublePointer yp = new DoublePointer(y); DoublePointer rep = new DoublePointer(2L * n);
             DoublePointer zRow = new DoublePointer((long) n)) {
            TorchsightNative.tsne_repulsion_barnes_hut(2, 1.0, theta, n, yp, n, yp, 1, rep, zRow, THREADS);
            double[] out = new double[2 * n];
            rep.get(out);
            return out;
        }
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
