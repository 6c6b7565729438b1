package dev.torchsight.cam.metrics;

import java.util.List;

/**
 * How the target's score changes when the image (as given to the model, i.e. normalised) is multiplied
 * by the map, keeping what the map points at: pytorch-grad-cam's CamMultImageConfidenceChange, with
 * its DropInConfidence and IncreaseInConfidence, and the "average drop" of Chattopadhay et al.
 * (Grad-CAM++).
 *
 * @param imageIndex the image's position in the batch
 * @param classIndex the explained class, or -1 for a target that is not one class
 * @param score the target's score on the image
 * @param maskedScore the target's score on the image times the map
 */
public record ConfidenceChange(int imageIndex, int classIndex, double score, double maskedScore) {
    /** {@code maskedScore - score} (CamMultImageConfidenceChange). */
    public double change() {
        return maskedScore - score;
    }

    /** The drop, {@code max(0, score - maskedScore)} (DropInConfidence). */
    public double drop() {
        return Math.max(0, score - maskedScore);
    }

    /**
     * The drop relative to the score, {@code max(0, score - maskedScore) / score}: the per-image term
     * of Grad-CAM++'s "average drop %" (divided by 100). NaN unless the score is positive (use a
     * probability target).
     */
    public double relativeDrop() {
        return score > 0 ? drop() / score : Double.NaN;
    }

    /** Whether the score rose (IncreaseInConfidence's 1). */
    public boolean increased() {
        return maskedScore > score;
    }

    /**
     * Grad-CAM++'s "average drop %": 100 x the mean {@link #relativeDrop()} over the changes where it is
     * defined (NaN when it is nowhere).
     */
    public static double averageDropPercent(List<ConfidenceChange> changes) {
        return 100 * changes.stream().mapToDouble(ConfidenceChange::relativeDrop).filter(v -> !Double.isNaN(v))
                .average().orElse(Double.NaN);
    }

    /** Grad-CAM++'s "increase in confidence %": 100 x the share of changes that {@link #increased()}. */
    public static double increasePercent(List<ConfidenceChange> changes) {
        return 100 * changes.stream().mapToDouble(c -> c.increased() ? 1 : 0).average().orElse(Double.NaN);
    }
}
