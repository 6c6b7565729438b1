package dev.torchsight.cam.metrics;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;

/** How alike two maps are: rank correlation and structural similarity. */
public final class Similarity {
    /** The window side of {@link #ssim}. */
    public static final int SSIM_WINDOW = 7;

    private Similarity() {}

    /**
     * Spearman's rank correlation of two maps of equal length: the Pearson correlation of their ranks,
     * ties sharing their mean rank (scipy.stats.spearmanr). NaN when either map is constant.
     */
    public static double spearman(float[] a, float[] b) {
        requireSameLength(a, b);
        return pearson(MapRanking.averageRanks(a), MapRanking.averageRanks(b));
    }

    /** The Pearson correlation; NaN when either side is constant. */
    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    /**
     * The mean structural similarity (Wang et al. 2004) of two {@code height x width} maps with values in
     * [0, 1], as scikit-image's {@code structural_similarity(a, b, data_range=1)} computes it: 7 x 7
     * uniform windows, sample (co)variances, K1 = 0.01, K2 = 0.03, averaged over the windows that lie
     * inside the map. 1 for identical maps. NaN when a side is shorter than 7.
     */
    public static double ssim(float[] a, float[] b, int height, int width) {
        requireSameLength(a, b);
        if (a.length != (long) height * width) {
            throw new TorchsightException(Kind.INPUT, null, "maps of " + a.length + " values are not " + height + " x "
                    + width);
        }
        int w = SSIM_WINDOW;
        if (height < w || width < w) {
            return Double.NaN;
        }
        double c1 = 0.01 * 0.01;
        double c2 = 0.03 * 0.03;
        double np = w * w;
        double covNorm = np / (np - 1);
        double total = 0;
        int windows = 0;
        for (int y = 0; y + w <= height; y++) {
            for (int x = 0; x + w <= width; x++) {
                double sa = 0;
                double sb = 0;
                double saa = 0;
                double sbb = 0;
                double sab = 0;
                for (int dy = 0; dy < w; dy++) {
                    int row = (y + dy) * width + x;
                    for (int dx = 0; dx < w; dx++) {
                        double va = a[row + dx];
                        double vb = b[row + dx];
                        sa += va;
                        sb += vb;
                        saa += va * va;
                        sbb += vb * vb;
                        sab += va * vb;
                    }
                }
                double ua = sa / np;
                double ub = sb / np;
                double va = covNorm * (saa / np - ua * ua);
                double vb = covNorm * (sbb / np - ub * ub);
                double vab = covNorm * (sab / np - ua * ub);
                total += (2 * ua * ub + c1) * (2 * vab + c2) / ((ua * ua + ub * ub + c1) * (va + vb + c2));
                windows++;
            }
        }
        return total / windows;
    }

    private static void requireSameLength(float[] a, float[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new TorchsightException(Kind.INPUT, null, "comparing maps needs two maps of the same, non-zero size; got "
                    + a.length + " and " + b.length + " values");
        }
    }
}
