package dev.torchsight.cam.metrics;

import java.util.Arrays;

/** Orders, ranks and percentiles of a map's values. */
final class MapRanking {
    private MapRanking() {}

    /** Pixel indices, most relevant (largest value) first; equal values in pixel order. */
    static int[] descending(float[] map) {
        Integer[] boxed = new Integer[map.length];
        for (int i = 0; i < map.length; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> {
            int c = Float.compare(map[b], map[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[map.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    /**
     * The {@code p}-th percentile (0..100) with linear interpolation between the two closest ranks,
     * numpy.percentile's default: rank {@code p / 100 * (n - 1)} of the sorted values.
     */
    static double percentile(float[] values, double p) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = p / 100.0 * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double t = position - below;
        return sorted[below] + (sorted[above] - (double) sorted[below]) * t;
    }

    /**
     * ROAD's kept pixels at percentile {@code p} of a ranking: those whose value is below the p-th
     * percentile (compared in float, as pytorch-grad-cam compares a float32 map with numpy's float32
     * percentile); the others are removed.
     */
    static boolean[] keptBelowPercentile(float[] ranking, double p) {
        float threshold = (float) percentile(ranking, p);
        boolean[] known = new boolean[ranking.length];
        for (int i = 0; i < known.length; i++) {
            known[i] = ranking[i] < threshold;
        }
        return known;
    }

    /** {@code 1 - map} in float: the ranking of least-relevant-first removal. */
    static float[] inverse(float[] map) {
        float[] out = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            out[i] = 1f - map[i];
        }
        return out;
    }

    /** Ranks 1..n, ties sharing the mean of their ranks (as scipy.stats.rankdata's "average"). */
    static double[] averageRanks(float[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(values[a], values[b]));
        double[] ranks = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }
}
