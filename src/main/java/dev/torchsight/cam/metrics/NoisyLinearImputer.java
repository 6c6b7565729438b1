package dev.torchsight.cam.metrics;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.random.RandomGenerator;

/**
 * ROAD's noisy linear imputation (Rong et al., "A Consistent and Efficient Evaluation Strategy for
 * Attribution Methods", 2022), as pytorch-grad-cam's {@code NoisyLinearImputer} defines it: every
 * removed pixel takes the weighted mean of its in-image neighbours, the 4 edge neighbours weighing 1/6
 * and the 4 diagonal ones 1/12, where a removed neighbour is itself an unknown. That is one sparse
 * linear system per channel over the removed pixels,
 * {@code s_i x_i - sum_{removed j ~ i} w_ij x_j = sum_{kept k ~ i} w_ik v_k}, with {@code s_i} the sum
 * of the weights of i's in-image neighbours (1 in the interior, less at the border). Gaussian noise of
 * standard deviation {@link #noise()} (0.01 by default, in the image's units) is then added to every
 * imputed value.
 *
 * <p>The system is symmetric and positive definite as soon as one pixel is kept. It is solved directly,
 * like pytorch-grad-cam's sparse LU solve, by a sparse Cholesky factorisation over a nested-dissection
 * order of the removed pixels, factored once for all channels; a system whose factor would exceed about
 * 200 MB (images far beyond 1000 x 1000) is solved by conjugate gradients to a relative residual of 1e-10
 * instead. When every pixel is removed nothing is known and every value is imputed as 0 (plus noise),
 * where pytorch-grad-cam's solver fails on the singular system.
 *
 * <p>Plain Java; one instance may be used from many threads (the random generator is the caller's).
 */
public final class NoisyLinearImputer {
    /** pytorch-grad-cam's noise level. */
    public static final double DEFAULT_NOISE = 0.01;

    /** Neighbour offsets (row, column) and weights, as in ROAD. */
    static final int[] DY = {1, 0, -1, 1, 0, -1, 1, -1};
    static final int[] DX = {1, 1, 1, -1, -1, -1, 0, 0};
    static final double[] WEIGHT = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 6.0};

    private static final double TOLERANCE = 1e-10;

    private final double noise;

    /** An imputer with pytorch-grad-cam's noise, 0.01. */
    public NoisyLinearImputer() {
        this(DEFAULT_NOISE);
    }

    /**
     * An imputer adding Gaussian noise of standard deviation {@code noise} (0 for the plain linear
     * imputation).
     */
    public NoisyLinearImputer(double noise) {
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new TorchsightException(Kind.GENERAL, noise, "the imputation noise must be a finite number >= 0, got "
                    + noise);
        }
        this.noise = noise;
    }

    /** The noise's standard deviation. */
    public double noise() {
        return noise;
    }

    /**
     * Imputes the removed pixels of one image.
     *
     * @param image {@code channels x height x width} values, row-major (only read)
     * @param known {@code height x width} flags, row-major: true for a kept pixel, false for a removed one
     * @param random where the noise comes from, drawn channel by channel in pixel order (may be null when
     *               the noise is 0)
     * @return a new image: the kept pixels as they were, the removed ones imputed
     */
    public float[] impute(float[] image, int channels, int height, int width, boolean[] known, RandomGenerator random) {
        int hw = height * width;
        if (channels < 1 || height < 1 || width < 1 || image.length != (long) channels * hw || known.length != hw) {
            throw new TorchsightException(Kind.INPUT, null, "imputation needs an image of channels x height x width "
                    + "values and one flag per pixel; got " + image.length + " values and " + known.length
                    + " flags for " + channels + " x " + height + " x " + width);
        }
        if (noise > 0 && random == null) {
            throw new TorchsightException(Kind.GENERAL, null, "imputation with noise needs a random generator");
        }
        float[] out = image.clone();
        double[][] solved = solve(image, channels, height, width, known);
        if (solved == null) {
            return out;
        }
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < hw; p++) {
                if (!known[p]) {
                    out[c * hw + p] = (float) (solved[c][p] + (noise > 0 ? noise * random.nextGaussian() : 0.0));
                }
            }
        }
        return out;
    }

    /** Pixel indices of the removed pixels, in row-major order. */
    static int[] unknowns(boolean[] known) {
        int n = 0;
        for (boolean k : known) {
            n += k ? 0 : 1;
        }
        int[] out = new int[n];
        for (int p = 0, i = 0; p < known.length; p++) {
            if (!known[p]) {
                out[i++] = p;
            }
        }
        return out;
    }

    /**
     * The noise-free imputation per channel: {@code channels x height x width} values equal to the image
     * at kept pixels and to the solution at removed ones; null when nothing is removed.
     */
    static double[][] solve(float[] image, int channels, int height, int width, boolean[] known) {
        Equations system = new Equations(height, width, known);
        if (system.n == 0) {
            return null;
        }
        int hw = height * width;
        double[][] out = new double[channels][hw];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < hw; p++) {
                out[c][p] = image[c * hw + p];
            }
            double[] x = system.solve(out[c]);
            for (int i = 0; i < system.n; i++) {
                out[c][system.pixel[i]] = x[i];
            }
        }
        return out;
    }

    /**
     * The sparse system over a mask's removed pixels, numbered in nested-dissection order (so its
     * Cholesky factor stays small), factored once and solved for each channel.
     */
    static final class Equations {
        /** Beyond this many factor entries (about 200 MB) conjugate gradients are used instead. */
        static final long MAX_FACTOR = 1L << 24;

        final int height;
        final int width;
        final boolean[] known;
        final int n;
        final int[] pixel;      // unknown -> pixel
        final double[] diagonal;
        final int[] neighbour;  // 8 per unknown: an unknown's index or -1
        final double[] weight;  // 8 per unknown
        private SparseCholesky factor;
        private boolean factored;

        Equations(int height, int width, boolean[] known) {
            this.height = height;
            this.width = width;
            this.known = known;
            this.pixel = NestedDissection.order(unknowns(known), width);
            this.n = pixel.length;
            int[] variable = new int[known.length];
            java.util.Arrays.fill(variable, -1);
            for (int i = 0; i < n; i++) {
                variable[pixel[i]] = i;
            }
            this.diagonal = new double[n];
            this.neighbour = new int[8 * n];
            this.weight = new double[8 * n];
            for (int i = 0; i < n; i++) {
                int y = pixel[i] / width;
                int x = pixel[i] % width;
                double s = 0;
                for (int k = 0; k < 8; k++) {
                    int ny = y + DY[k];
                    int nx = x + DX[k];
                    neighbour[8 * i + k] = -1;
                    if (ny < 0 || nx < 0 || ny >= height || nx >= width) {
                        continue;
                    }
                    s += WEIGHT[k];
                    int q = ny * width + nx;
                    if (!known[q]) {
                        neighbour[8 * i + k] = variable[q];
                        weight[8 * i + k] = WEIGHT[k];
                    }
                }
                diagonal[i] = s;
            }
        }

        /** The right-hand side: the weighted kept neighbours of each unknown. */
        double[] rhs(double[] values) {
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                int y = pixel[i] / width;
                int x = pixel[i] % width;
                double s = 0;
                for (int k = 0; k < 8; k++) {
                    int ny = y + DY[k];
                    int nx = x + DX[k];
                    if (ny >= 0 && nx >= 0 && ny < height && nx < width && known[ny * width + nx]) {
                        s += WEIGHT[k] * values[ny * width + nx];
                    }
                }
                b[i] = s;
            }
            return b;
        }

        /** Solves for one channel ({@code values}: height x width, read at the kept pixels). */
        double[] solve(double[] values) {
            double[] b = rhs(values);
            boolean any = false;
            for (double v : b) {
                any |= v != 0;
            }
            if (!any) {
                return new double[n];  // no kept neighbour carries a value (or there is none): 0 everywhere
            }
            if (!factored) {
                factored = true;
                factor = factor();
            }
            return factor != null ? factor.solve(b) : conjugateGradients(b);
        }

        /** The Cholesky factor, or null when it would be too large or the system is singular. */
        private SparseCholesky factor() {
            int[] start = new int[n + 1];
            int[] rows = new int[5 * n];
            double[] values = new double[5 * n];
            int e = 0;
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < 8; k++) {
                    int i = neighbour[8 * j + k];
                    if (i >= 0 && i < j) {
                        rows[e] = i;
                        values[e++] = -weight[8 * j + k];
                    }
                }
                rows[e] = j;
                values[e++] = diagonal[j];
                start[j + 1] = e;
            }
            return SparseCholesky.factor(n, start, rows, values, MAX_FACTOR);
        }

        void multiply(double[] v, double[] out) {
            for (int i = 0; i < n; i++) {
                double s = diagonal[i] * v[i];
                int base = 8 * i;
                for (int k = 0; k < 8; k++) {
                    int j = neighbour[base + k];
                    if (j >= 0) {
                        s -= weight[base + k] * v[j];
                    }
                }
                out[i] = s;
            }
        }

        /** Jacobi-preconditioned conjugate gradients from 0, to a relative residual of 1e-10. */
        double[] conjugateGradients(double[] b) {
            double[] x = new double[n];
            double[] r = b.clone();
            double[] z = new double[n];
            double[] p = new double[n];
            double[] q = new double[n];
            for (int i = 0; i < n; i++) {
                z[i] = r[i] / diagonal[i];
                p[i] = z[i];
            }
            double rz = dot(r, z);
            double limit = TOLERANCE * TOLERANCE * dot(b, b);
            for (int iteration = 0; iteration < 20 * n + 100 && dot(r, r) > limit; iteration++) {
                multiply(p, q);
                double pq = dot(p, q);
                if (!(pq > 0)) {
                    break;  // the part of a singular system no kept pixel reaches: nothing more to gain
                }
                double alpha = rz / pq;
                for (int i = 0; i < n; i++) {
                    x[i] += alpha * p[i];
                    r[i] -= alpha * q[i];
                    z[i] = r[i] / diagonal[i];
                }
                double next = dot(r, z);
                double beta = next / rz;
                rz = next;
                for (int i = 0; i < n; i++) {
                    p[i] = z[i] + beta * p[i];
                }
            }
            return x;
        }

        private static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += a[i] * b[i];
            }
            return s;
        }
    }
}
