package dev.torchsight.tsne;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The starting embedding: PCA (default), seeded Gaussian noise, or coordinates the caller gives.
 * Implement it to start from anything else.
 */
@FunctionalInterface
public interface Initialization {
    /**
     * Starting coordinates, n x dims row-major.
     *
     * @param features the rows t-SNE embeds (float32, n x d)
     * @param principalComponentsFirst true when {@code features} are already PCA scores, largest first
     * @param dims coordinates per point (2 or 3)
     * @param seed the run's seed
     */
    double[] initial(Tensor features, boolean principalComponentsFirst, int dims, long seed);

    /** Standard deviation of the first coordinate of the PCA and random starts (scikit-learn's). */
    double START_STD = 1e-4;

    /**
     * The top principal components, scaled so the first has standard deviation 1e-4; falls back to
     * {@link #random()} when the data have no spread.
     */
    static Initialization pca() {
        return (features, pcsFirst, dims, seed) -> {
            if (features.size(1) < dims) {
                return random().initial(features, pcsFirst, dims, seed);
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor pcs = pcsFirst ? features.narrow(1, 0, dims) : Pca.project(features, dims);
                Tensor y = pcs.to(torch.ScalarType.Double).contiguous();
                double std = y.select(1, 0).std().item_double();
                if (!(std > 0) || !Double.isFinite(std)) {
                    // All rows identical along the principal axes: PCA gives no direction.
                    return random().initial(features, pcsFirst, dims, seed);
                }
                Tensor scaled = y.mul(new Scalar(START_STD / std)).contiguous();
                double[] out = new double[(int) (features.size(0) * dims)];
                scaled.data_ptr_double().get(out);
                return out;
            }
        };
    }

    /** Gaussian noise with standard deviation 1e-4 from the seed (reproducible on every JVM). */
    static Initialization random() {
        return (features, pcsFirst, dims, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            double[] out = new double[(int) (features.size(0) * dims)];
            for (int i = 0; i < out.length; i++) {
                // Box-Muller on SplittableRandom: the same numbers on every JVM.
                double u1 = random.nextDouble();
                double u2 = random.nextDouble();
                out[i] = START_STD * Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
            }
            return out;
        };
    }

    /** Exactly these coordinates (n x dims, row-major; copied). */
    static Initialization given(double[] coordinates) {
        double[] copy = coordinates.clone();
        for (double v : copy) {
            if (!Double.isFinite(v)) {
                throw new TorchsightException(Kind.INPUT, v, "initial coordinates must be finite, got " + v);
            }
        }
        return (features, pcsFirst, dims, seed) -> {
            long expected = features.size(0) * dims;
            if (copy.length != expected) {
                throw new TorchsightException(Kind.INPUT, copy.length, "initial coordinates have " + copy.length
                        + " values but " + features.size(0) + " points x " + dims + " dimensions need " + expected);
            }
            return copy.clone();
        };
    }
}
