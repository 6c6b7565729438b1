package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;

/**
 * A dense row-major matrix of float32 values: one row per sample. The array is shared, not copied.
 *
 * @param rows number of samples
 * @param cols values per sample
 * @param values rows * cols values, row-major
 */
public record FloatMatrix(int rows, int cols, float[] values) {
    /** Checks the shape against the array length. */
    public FloatMatrix {
        if (rows < 0 || cols < 0 || (long) rows * cols != values.length) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " does not match "
                    + values.length + " values");
        }
    }

    /** The first {@code n} rows (a copy), or this matrix when it has no more than n rows. */
    public FloatMatrix head(int n) {
        if (n >= rows) {
            return this;
        }
        float[] v = new float[n * cols];
        System.arraycopy(values, 0, v, 0, v.length);
        return new FloatMatrix(n, cols, v);
    }

    /**
     * The largest magnitude t-SNE and PCA accept: they compute in float32, where squared distances and
     * covariance sums of values near 1e18 and beyond overflow (3.4e38) for a few hundred rows or columns;
     * below 1e15 they stay finite for up to 10^7 rows and columns. Real features are many orders smaller.
     */
    public static final double MAX_MAGNITUDE = 1e15;

    /**
     * Throws a {@link TorchsightException} (kind INPUT) naming the first row and column with a NaN or
     * infinite value, or a value larger in magnitude than {@link #MAX_MAGNITUDE}.
     *
     * @param source what the rows came from, for the message (a file name)
     */
    public void requireFinite(String source) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                throw new TorchsightException(Kind.INPUT, v, source + ": row " + i / cols + " (0-based), column "
                        + i % cols + " is " + v + "; remove or impute non-finite values before running t-SNE");
            }
            if (Math.abs(v) > MAX_MAGNITUDE) {
                throw new TorchsightException(Kind.INPUT, v, source + ": row " + i / cols + " (0-based), column "
                        + i % cols + " is " + v + ", larger than " + MAX_MAGNITUDE + " in magnitude, where float32 "
                        + "distances overflow; rescale or standardise the data");
            }
        }
    }
}
