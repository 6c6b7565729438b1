package dev.torchsight.cam;

/**
 * One class-activation map for one image and one target class.
 *
 * @param imageIndex position of the image in the batch
 * @param rank 0 for the top (or only) target, 1 for the second of a top-k, ...
 * @param classIndex the explained class
 * @param score the model's output (logit) for that class
 * @param probability softmax probability of that class
 * @param predictedClass the top-1 class of the image
 * @param rawMap the map at the layer's resolution after ReLU, not normalised (rawHeight x rawWidth, row-major)
 * @param rawHeight rows of the raw map
 * @param rawWidth columns of the raw map
 * @param map the map resized (bilinear) to the network input and min-max normalised to [0, 1]; all
 *            zeros when the raw map is constant (e.g. all zero after ReLU)
 * @param height rows of {@code map} (the input height)
 * @param width columns of {@code map} (the input width)
 */
public record CamResult(int imageIndex, int rank, int classIndex, double score, double probability, int predictedClass,
                        float[] rawMap, int rawHeight, int rawWidth, float[] map, int height, int width) {
    /** Mean of the normalised map. */
    public double mean() {
        double s = 0;
        for (float v : map) {
            s += v;
        }
        return s / map.length;
    }

    /** Index (row * width + col) of the map's maximum. */
    public int peakIndex() {
        int best = 0;
        for (int i = 1; i < map.length; i++) {
            if (map[i] > map[best]) {
                best = i;
            }
        }
        return best;
    }
}
