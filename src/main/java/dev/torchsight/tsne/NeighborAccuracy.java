package dev.torchsight.tsne;

import java.util.stream.IntStream;

/**
 * How well an embedding keeps classes together: leave-one-out k-nearest-neighbour majority vote in
 * the 2-D map (ties go to the lowest class index).
 */
public final class NeighborAccuracy {
    private NeighborAccuracy() {}

    /** The fraction of points whose k nearest other points vote for their own class. */
    public static double of(Embedding e, int[] labels, int k) {
        int n = e.size();
        if (labels.length != n || k < 1 || k >= n) {
            throw new IllegalArgumentException("need one label per point and 1 <= k < n");
        }
        double[] xy = e.coordinates();
        int classes = IntStream.of(labels).max().orElse(0) + 1;
        long correct = IntStream.range(0, n).parallel().filter(i -> vote(xy, labels, classes, i, k) == labels[i]).count();
        return correct / (double) n;
    }

    private static int vote(double[] xy, int[] labels, int classes, int i, int k) {
        // Keep the k smallest distances in a sorted insertion buffer: k is small.
        double[] best = new double[k];
        int[] who = new int[k];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        double xi = xy[2 * i];
        double yi = xy[2 * i + 1];
        for (int j = 0; j < labels.length; j++) {
            if (j == i) {
                continue;
            }
            double dx = xi - xy[2 * j];
            double dy = yi - xy[2 * j + 1];
            double d = dx * dx + dy * dy;
            if (d < best[k - 1]) {
                int p = k - 1;
                while (p > 0 && best[p - 1] > d) {
                    best[p] = best[p - 1];
                    who[p] = who[p - 1];
                    p--;
                }
                best[p] = d;
                who[p] = j;
            }
        }
        int[] votes = new int[classes];
        for (int m = 0; m < k; m++) {
            votes[labels[who[m]]]++;
        }
        int winner = 0;
        for (int c = 1; c < classes; c++) {
            if (votes[c] > votes[winner]) {
                winner = c;
            }
        }
        return winner;
    }
}
