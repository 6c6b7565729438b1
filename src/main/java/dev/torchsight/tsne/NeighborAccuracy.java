package dev.torchsight.tsne;

import java.util.stream.IntStream;

/**
 * How well an embedding keeps classes together: leave-one-out k-nearest-neighbour majority vote in
 * the map, 2-D or 3-D (ties go to the lowest class index). O(N^2): meant for evaluation sets.
 */
public final class NeighborAccuracy {
    private NeighborAccuracy() {}

    /** The fraction of points whose k nearest other points vote for their own class. */
    public static double of(Embedding e, int[] labels, int k) {
        int n = e.size();
        if (labels.length != n || k < 1 || k >= n) {
            throw new IllegalArgumentException("need one label per point and 1 <= k < n");
        }
        double[] y = e.coordinates();
        int dims = e.dimensions();
        int classes = IntStream.of(labels).max().orElse(0) + 1;
        long correct = IntStream.range(0, n).parallel()
                .filter(i -> vote(y, i, y, labels, dims, classes, i, k) == labels[i]).count();
        return correct / (double) n;
    }

    /**
     * The fraction of {@code queries} (e.g. points placed by {@link Embedding#transform}) whose k nearest
     * points of {@code reference} vote for the query's class.
     */
    public static double against(Embedding reference, int[] referenceLabels, Embedding queries, int[] queryLabels,
                                 int k) {
        if (referenceLabels.length != reference.size() || queryLabels.length != queries.size() || k < 1
                || k > reference.size() || reference.dimensions() != queries.dimensions()) {
            throw new IllegalArgumentException("need one label per point, maps of the same dimensions and 1 <= k <= n");
        }
        double[] ref = reference.coordinates();
        double[] q = queries.coordinates();
        int dims = reference.dimensions();
        int classes = Math.max(IntStream.of(referenceLabels).max().orElse(0), IntStream.of(queryLabels).max().orElse(0)) + 1;
        long correct = IntStream.range(0, queries.size()).parallel()
                .filter(i -> vote(q, i, ref, referenceLabels, dims, classes, -1, k) == queryLabels[i]).count();
        return correct / (double) queries.size();
    }

    /** The class that the k points of {@code among} nearest to point i of {@code from} vote for ({@code skip} excluded). */
    private static int vote(double[] from, int i, double[] among, int[] labels, int dims, int classes, int skip, int k) {
        // Keep the k smallest distances in a sorted insertion buffer: k is small.
        double[] best = new double[k];
        int[] who = new int[k];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int j = 0; j < labels.length; j++) {
            if (j == skip) {
                continue;
            }
            double d = 0;
            for (int c = 0; c < dims; c++) {
                double diff = from[dims * i + c] - among[dims * j + c];
                d += diff * diff;
            }
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
