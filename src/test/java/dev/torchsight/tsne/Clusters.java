package dev.torchsight.tsne;

import dev.torchsight.io.FloatMatrix;
import java.util.Random;

/** Synthetic test data: well-separated Gaussian clusters, and neighbour-vote accuracy in an embedding. */
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
