package dev.torchsight.cam.metrics;

import java.util.Arrays;

/**
 * ROAD, "remove and debias" (Rong et al., 2022), for one map, as pytorch-grad-cam defines it. At
 * percentile p the pixels whose map value reaches the map's p-th percentile are removed most relevant
 * first (MoRF: the map's top 100 - p percent) and, separately, least relevant first (LeRF: the top
 * 100 - p percent of 1 - map), the removed pixels are filled by {@link NoisyLinearImputer}, and each
 * value is the target's score on the imputed image minus its score on the image.
 *
 * @param imageIndex the image's position in the batch
 * @param classIndex the explained class, or -1 for a target that is not one class
 * @param percentiles the percentiles, as given
 * @param mostRelevantFirst score changes after removing the most relevant pixels, per percentile
 *                          (a faithful map makes them strongly negative)
 * @param leastRelevantFirst score changes after removing the least relevant pixels, per percentile
 *                           (a faithful map keeps them near 0)
 */
public record RoadScore(int imageIndex, int classIndex, int[] percentiles, double[] mostRelevantFirst,
                        double[] leastRelevantFirst) {
    /** pytorch-grad-cam's ROADMostRelevantFirstAverage: the mean MoRF change (lower is more faithful). */
    public double mostRelevantFirstAverage() {
        return mean(mostRelevantFirst);
    }

    /** pytorch-grad-cam's ROADLeastRelevantFirstAverage: the mean LeRF change (higher is more faithful). */
    public double leastRelevantFirstAverage() {
        return mean(leastRelevantFirst);
    }

    /** pytorch-grad-cam's ROADCombined: (LeRF average - MoRF average) / 2; higher is more faithful. */
    public double combined() {
        return (leastRelevantFirstAverage() - mostRelevantFirstAverage()) / 2;
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }
}
