package dev.torchsight.cam.metrics;

/**
 * The deletion and insertion curves of one map (Petsiuk et al., RISE, 2018). Pixels are taken most
 * relevant first; at fraction {@code fractions[k]} that many of them are replaced by the baseline
 * (deletion) or revealed on the baseline (insertion), and the curve holds the target's probability
 * there. A faithful map makes the deletion curve fall fast (a small area) and the insertion curve rise
 * fast (a large area).
 *
 * @param imageIndex the image's position in the batch
 * @param classIndex the explained class, or -1 for a target that is not one class
 * @param fractions the fractions of pixels changed, 0 to 1 in equal steps
 * @param deletion the curve while deleting (first value: the image itself)
 * @param insertion the curve while inserting (first value: the baseline)
 * @param deletionAuc the area under {@code deletion} (trapezoid rule on [0, 1]); lower is more faithful
 * @param insertionAuc the area under {@code insertion}; higher is more faithful
 */
public record DeletionInsertion(int imageIndex, int classIndex, double[] fractions, double[] deletion,
                                double[] insertion, double deletionAuc, double insertionAuc) {
    /** Insertion minus deletion area: one number, higher is more faithful. */
    public double difference() {
        return insertionAuc - deletionAuc;
    }
}
