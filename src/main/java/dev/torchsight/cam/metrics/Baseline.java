package dev.torchsight.cam.metrics;

/**
 * What deleted pixels become in the deletion and insertion curves (and where insertion starts from),
 * in the units of the model's input.
 */
public enum Baseline {
    /**
     * 0 in every channel: for a normalised input (x - mean) / std, the data set's mean colour. The
     * default.
     */
    ZERO,
    /**
     * A blurred copy of the image, as RISE's insertion metric uses: an 11 x 11 Gaussian of standard
     * deviation 5 pixels (separable, weights summing to 1), zero beyond the border.
     */
    BLUR;

    private static final int RADIUS = 5;
    private static final double SIGMA = 5;

    /** The baseline image for {@code image} ({@code channels x height x width}, row-major; only read). */
    float[] of(float[] image, int channels, int height, int width) {
        if (this == ZERO) {
            return new float[image.length];
        }
        double[] kernel = new double[2 * RADIUS + 1];
        double sum = 0;
        for (int k = -RADIUS; k <= RADIUS; k++) {
            kernel[k + RADIUS] = Math.exp(-k * k / (2 * SIGMA * SIGMA));
            sum += kernel[k + RADIUS];
        }
        for (int k = 0; k < kernel.length; k++) {
            kernel[k] /= sum;
        }
        int hw = height * width;
        float[] out = new float[image.length];
        double[] rows = new double[hw];
        for (int c = 0; c < channels; c++) {
            int base = c * hw;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double s = 0;
                    for (int k = -RADIUS; k <= RADIUS; k++) {
                        int xx = x + k;
                        if (xx >= 0 && xx < width) {
                            s += kernel[k + RADIUS] * image[base + y * width + xx];
                        }
                    }
                    rows[y * width + x] = s;
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double s = 0;
                    for (int k = -RADIUS; k <= RADIUS; k++) {
                        int yy = y + k;
                        if (yy >= 0 && yy < height) {
                            s += kernel[k + RADIUS] * rows[yy * width + x];
                        }
                    }
                    out[base + y * width + x] = (float) s;
                }
            }
        }
        return out;
    }
}
