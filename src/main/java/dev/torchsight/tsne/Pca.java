package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.NativeErrors;
import java.util.Locale;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Principal component projection through libtorch: centre, then the eigen-decomposition of the
 * smaller of the covariance (D x D) and Gram (N x N) matrices. Components are sign-normalised
 * (largest |loading| positive) so results do not depend on the eigen-solver's sign choice.
 */
final class Pca {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private Pca() {}

    /**
     * Projects the rows of {@code x} (N x D, float32, finite) onto their top {@code dims} principal
     * components. Returns an N x dims float32 tensor, components ordered by decreasing variance.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT} when the values are too large for float32
     *         arithmetic or libtorch's solver fails (with its reason)
     */
    static Tensor project(Tensor x, int dims) {
        Tensor out;
        try {
            out = projectFinite(x, dims);
        } catch (TorchsightException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(x, NativeErrors.reason(e), e);
        }
        if (!out.isfinite().all().item_bool()) {
            throw failure(x, "the projection is not finite", null);
        }
        return out;
    }

    /**
     * The mean and principal axes of rows, kept in Java arrays so that new rows can be projected the same
     * way later ({@link Embedding#transform}).
     *
     * @param mean D values
     * @param axes D x dims, row-major, columns ordered by decreasing variance
     */
    record Basis(float[] mean, float[] axes, int inputDims, int dims) {
        /**
         * Projects rows (N x D) onto the axes, float32 out; the result is the caller's. Computed in double, so
         * a row's projection does not depend on how many rows come with it.
         */
        Tensor project(Tensor x) {
            Tensor m = Tensor.create(mean, 1, inputDims).to(torch.ScalarType.Double);
            Tensor a = Tensor.create(axes, inputDims, dims).to(torch.ScalarType.Double);
            return x.to(torch.ScalarType.Double).sub(m).mm(a).to(torch.ScalarType.Float).contiguous();
        }
    }

    /** The basis {@link #project} uses for x (same axes and signs, from the covariance or the sketch). */
    static Basis basis(Tensor x, int dims) {
        try (PointerScope scope = new PointerScope()) {
            long n = x.size(0);
            long d = x.size(1);
            Tensor mean = x.mean(new long[] {0}, true, new ScalarTypeOptional());
            Tensor centred = x.sub(mean);
            Tensor axes;
            if (Math.min(n, d) > RANDOMIZED_ABOVE || d > 4 * RANDOMIZED_ABOVE) {
                axes = randomizedAxes(centred, dims);
            } else {
                axes = topEigenvectors(centred.t().mm(centred).to(torch.ScalarType.Double), dims);
            }
            float[] meanOut = new float[(int) d];
            mean.contiguous().data_ptr_float().get(meanOut);
            float[] axesOut = new float[(int) (d * dims)];
            axes.to(torch.ScalarType.Float).contiguous().data_ptr_float().get(axesOut);
            return new Basis(meanOut, axesOut, (int) d, dims);
        }
    }

    /** Above this magnitude, sums of squares of a few thousand rows can overflow float32 (3.4e38). */
    private static final double LARGEST_SAFE_VALUE = 1e15;

    private static TorchsightException failure(Tensor x, String reason, Throwable cause) {
        double largest = x.abs().max().item_double();
        if (largest > LARGEST_SAFE_VALUE) {
            return new TorchsightException(Kind.INPUT, largest, String.format(Locale.ROOT,
                    "PCA of the input failed (%s): its values reach %.3g, where squares and sums overflow float32; "
                            + "scale the data first (e.g. standardise each column)", reason, largest), cause);
        }
        return new TorchsightException(Kind.INPUT, null, "PCA of the input failed: " + reason
                + "; turn PCA off or check the data", cause);
    }

    private static Tensor projectFinite(Tensor x, int dims) {
        long n = x.size(0);
        long d = x.size(1);
        Tensor centred = x.sub(x.mean(new long[] {0}, true, new ScalarTypeOptional()));
        if (Math.min(n, d) > RANDOMIZED_ABOVE) {
            return randomized(centred, dims);
        }
        if (d <= n) {
            // Covariance route: eigenvectors of Xc^T Xc are the principal axes.
            Tensor cov = centred.t().mm(centred).to(torch.ScalarType.Double);
            Tensor axes = topEigenvectors(cov, dims);
            return centred.mm(axes.to(torch.ScalarType.Float));
        }
        // Gram route (wide data, e.g. flattened feature maps): scores = U * sqrt(lambda).
        Tensor gram = centred.mm(centred.t()).to(torch.ScalarType.Double);
        T_TensorTensor_T eig = torch.linalg_eigh(gram);
        Tensor values = eig.get0().narrow(0, n - dims, dims).flip(0).clamp_min(new org.bytedeco.pytorch.Scalar(0.0));
        Tensor vectors = signNormalised(eig.get1().narrow(1, n - dims, dims).flip(1));
        return vectors.mul(values.sqrt().unsqueeze(0)).to(torch.ScalarType.Float);
    }

    /** Above this many rows and columns an exact eigen-decomposition costs O(min(N,D)^3): go randomized. */
    static final long RANDOMIZED_ABOVE = 2048;
    private static final int OVERSAMPLING = 20;
    private static final int POWER_ITERATIONS = 4;

    /** Seed of the randomized sketch: the same input gives the same components. */
    static final long SKETCH_SEED = 0;

    /**
     * Randomised PCA (Halko, Martinsson and Tropp): a seeded Gaussian sketch, power iterations with
     * QR re-orthonormalisation, then an exact SVD of the small projected matrix. O(N D k) time and
     * O((N + D) k) extra memory, so 10,000 flattened feature maps of 25,088 values fit. The sketch is
     * drawn from a generator of its own, so torch's global random state is left as the caller had it.
     */
    static Tensor randomized(Tensor centred, int dims) {
        return centred.mm(randomizedAxes(centred, dims).to(torch.ScalarType.Float));
    }

    /** The axes (D x dims, double) of {@link #randomized}. */
    private static Tensor randomizedAxes(Tensor centred, int dims) {
        long d = centred.size(1);
        int k = dims + OVERSAMPLING;
        Generator sketch = torch.createCPUGenerator(SKETCH_SEED);
        Tensor omega = torch.randn(new long[] {d, k}, new GeneratorOptional(sketch));
        Tensor q = orthonormal(centred.mm(omega));
        for (int i = 0; i < POWER_ITERATIONS; i++) {
            q = orthonormal(centred.mm(orthonormal(centred.t().mm(q))));
        }
        Tensor small = q.t().mm(centred).to(torch.ScalarType.Double);  // k x D
        org.bytedeco.pytorch.T_TensorTensorTensor_T svd = torch.linalg_svd(small, false, new org.bytedeco.pytorch.StringViewOptional());
        return signNormalised(svd.get2().narrow(0, 0, dims).t());  // D x dims
    }

    private static Tensor orthonormal(Tensor m) {
        return torch.linalg_qr(m).get0();
    }

    private static Tensor topEigenvectors(Tensor symmetric, int dims) {
        long size = symmetric.size(0);
        T_TensorTensor_T eig = torch.linalg_eigh(symmetric);  // ascending eigenvalues
        return signNormalised(eig.get1().narrow(1, size - dims, dims).flip(1));
    }

    /** Flips each column so that its entry of largest magnitude is positive. */
    private static Tensor signNormalised(Tensor columns) {
        Tensor argmax = columns.abs().argmax(new org.bytedeco.pytorch.LongOptional(0), true);
        Tensor signs = columns.gather(0, argmax).sign();
        // sign(0) would zero a column; only an all-zero column has a zero maximum, keep it as is.
        signs = torch.where(signs.eq(new org.bytedeco.pytorch.Scalar(0.0)), torch.ones_like(signs), signs);
        return columns.mul(signs);
    }
}
