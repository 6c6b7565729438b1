package dev.torchsight.tsne;

import dev.torchsight.io.FloatMatrix;
import java.util.Random;

/**
 * Synthetic test data (well-separated Gaussian clusters; classes the top two principal components
 * cannot tell apart) and neighbour-vote accuracy in an embedding.
 */
final class Clusters {
    private Clusters() {}

    /** n points in d dimensions around `clusters` centres 10 apart, unit noise; label = i % clusters. */
    static FloatMatrix gaussian(int n, int d, int clusters, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[clusters][d];
        for (int c = 0; c < clusters; c++) {
            for (int j = 0; j < d; j++) {
                centres[c][j] = (float) (r.nextGaussian() * 10);
            }
        }
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                v[i * d + j] = centres[i % clusters][j] + (float) r.nextGaussian();
            }
        }
        return new FloatMatrix(n, d, v);
    }

    /**
     * Parallel sheets: n points, label i % clusters. Every class fills the same 40 x 40 square in
     * dimensions 0 and 1 (uniform, variance 133 per axis), and class c sits at 25 / sqrt(2) in
     * dimension 2 + c (unit Gaussian noise in dimensions 2..): any two class centres are 25 apart.
     * The centres' scatter is isotropic in its (clusters - 1)-dimensional span with variance
     * 25^2 / (2 clusters) + 1 per direction (53 for 6 classes), so the top two principal components
     * are the square's axes, where the classes lie on top of each other (10-NN accuracy of that
     * projection near chance); in all dimensions, a point's 30 nearest neighbours are of its own
     * class (between-class squared distance >= 625, a neighbour's about 150).
     */
    static FloatMatrix sheets(int n, int clusters, long seed) {
        Random r = new Random(seed);
        int d = 2 + clusters;
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) {
            v[i * d] = (float) ((r.nextDouble() - 0.5) * 40);
            v[i * d + 1] = (float) ((r.nextDouble() - 0.5) * 40);
            for (int c = 0; c < clusters; c++) {
                v[i * d + 2 + c] = (float) r.nextGaussian() + (c == i % clusters ? (float) (25 / Math.sqrt(2)) : 0f);
            }
        }
        return new FloatMatrix(n, d, v);
    }

    static int[] labels(int n, int clusters) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = i % clusters;
        }
        return l;
    }

    /** Leave-one-out k-NN majority-vote accuracy of labels in the 2-D embedding (brute force). */
    static double knnAccuracy(Embedding e, int[] labels, int k) {
        int n = e.size();
        int correct = 0;
        int classes = java.util.Arrays.stream(labels).max().orElse(0) + 1;
        for (int i = 0; i < n; i++) {
            double[] d = new double[n];
            Integer[] idx = new Integer[n];
            for (int j = 0; j < n; j++) {
                double dx = e.x(i) - e.x(j);
                double dy = e.y(i) - e.y(j);
                d[j] = j == i ? Double.POSITIVE_INFINITY : dx * dx + dy * dy;
                idx[j] = j;
            }
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(d[a], d[b]));
            int[] votes = new int[classes];
            for (int m = 0; m < k; m++) {
                votes[labels[idx[m]]]++;
            }
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (votes[c] > votes[best]) {
                    best = c;
                }
            }
            if (best == labels[i]) {
                correct++;
            }
        }
        return correct / (double) n;
    }
}
