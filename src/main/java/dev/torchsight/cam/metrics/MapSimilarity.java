package dev.torchsight.cam.metrics;

/**
 * How alike an image's map is to the map of the same target from another model (see
 * {@link RandomisationCheck}).
 *
 * @param imageIndex the image's position in the batch
 * @param rank the target's rank (0 unless several targets per image were explained)
 * @param classIndex the explained class, or -1 for a target that is not one class
 * @param spearman Spearman's rank correlation of the two maps ({@link Similarity#spearman}); NaN when
 *                 either map is constant
 * @param ssim their structural similarity ({@link Similarity#ssim})
 */
public record MapSimilarity(int imageIndex, int rank, int classIndex, double spearman, double ssim) {
}
