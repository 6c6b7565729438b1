package dev.torchsight.cam;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.ModelOutput;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * A target is a scoring function: the differentiable scalar a CAM explains, computed from the
 * model's output for one image. The factories cover the usual cases (a class logit, a class probability,
 * a set of classes, a detection box, a segmentation mask); a Java caller may pass any function, e.g.
 * {@code (out, i) -> out.scores().get(i).get(3).sub(out.scores().get(i).get(5))}.
 */
@FunctionalInterface
public interface CamTarget {
    /**
     * The score of image {@code image} of the batch, a 0-dimensional tensor computed from
     * {@code output} (keep it differentiable: gradient-based methods differentiate it).
     */
    Tensor score(ModelOutput output, int image);

    /** The class this target explains, or -1 when it is not one class (reported with each map). */
    default int classIndex() {
        return -1;
    }

    /** The logit (raw score) of class {@code index}: the default target. */
    static CamTarget logit(int index) {
        return new Targets.ClassLogit(requireClass(index));
    }

    /** The softmax probability of class {@code index}. */
    static CamTarget probability(int index) {
        return new Targets.ClassProbability(requireClass(index));
    }

    /** The sum of the logits of several classes (a multi-label target). */
    static CamTarget classes(int... indices) {
        if (indices.length == 0) {
            throw new TorchsightException(Kind.CLASS_INDEX, null, "a set of classes needs at least one class");
        }
        for (int i : indices) {
            requireClass(i);
        }
        return new Targets.ClassSet(Arrays.copyOf(indices, indices.length));
    }

    /**
     * Class {@code index}'s scores summed over a mask, for segmentation models whose scores are
     * N x classes x H x W; {@code mask} is H x W, row-major (1 inside the region, 0 outside, or weights).
     */
    static CamTarget segmentation(int index, float[] mask, int height, int width) {
        if (mask.length != (long) height * width) {
            throw new TorchsightException(Kind.INPUT, null, "the mask has " + mask.length + " values, not "
                    + height + " x " + width);
        }
        return new Targets.MaskedClass(requireClass(index), mask.clone(), height, width);
    }

    /**
     * A detection-style target, as pytorch-grad-cam's box score: for each reference box (x1, y1, x2, y2)
     * with its label, the output box of highest IoU counts (IoU + its score) when the IoU exceeds
     * {@code iouThreshold} and its label matches. The output must be a dict with tensors "boxes"
     * (K x 4), "scores" (K) and "labels" (K), or a tuple (boxes, scores, labels), with an optional
     * leading batch dimension.
     */
    static CamTarget box(int[] labels, float[][] boxes, double iouThreshold) {
        if (labels.length != boxes.length || labels.length == 0) {
            throw new TorchsightException(Kind.INPUT, null, "a box target needs one label per box, got "
                    + labels.length + " labels and " + boxes.length + " boxes");
        }
        for (float[] b : boxes) {
            if (b.length != 4) {
                throw new TorchsightException(Kind.INPUT, null, "a box is x1, y1, x2, y2, got " + b.length + " values");
            }
        }
        return new Targets.BoxScore(labels.clone(), Arrays.stream(boxes).map(float[]::clone).toArray(float[][]::new),
                iouThreshold);
    }

    private static int requireClass(int index) {
        if (index < 0) {
            throw new TorchsightException(Kind.CLASS_INDEX, index, "class index must be non-negative, got " + index);
        }
        return index;
    }
}
