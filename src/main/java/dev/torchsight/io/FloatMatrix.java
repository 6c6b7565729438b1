package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;

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
     * Throws a {@link TorchsightException} naming the first row with a NaN or infinite value.
     *
     * @param source what the rows came from, for the message (a file name)
     */
    public void requireFinite(String source) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                int row = i / cols;
                throw new TorchsightException(source + ": row " + row + " (0-based), column " + (i % cols)
                        + " is " + values[i] + "; remove or impute non-finite values before running t-SNE");
            }
        }
    }
}
