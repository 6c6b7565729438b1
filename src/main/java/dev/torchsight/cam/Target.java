package dev.torchsight.cam;

import dev.torchsight.core.TorchsightException;
import java.util.List;

/**
 * Which targets a CAM explains for each image of a batch: the top class (the default), a fixed
 * class, the k best classes, one scoring function for every image, or one per image (different
 * targets within one batch). See {@link CamTarget} for the scoring functions.
 */
public sealed interface Target permits Target.TopClass, Target.ClassIndex, Target.TopK, Target.Each, Target.PerImage {
    /** The predicted (highest-scoring) class: the default. */
    static Target topClass() {
        return new TopClass();
    }

    /** A fixed class index (its logit). */
    static Target classIndex(int index) {
        if (index < 0) {
            throw new TorchsightException(TorchsightException.Kind.CLASS_INDEX, index,
                    "class index must be non-negative, got " + index);
        }
        return new ClassIndex(index);
    }

    /** Each of the k highest-scoring classes, in descending score order. */
    static Target topK(int k) {
        if (k < 1) {
            throw new TorchsightException(TorchsightException.Kind.TOP_K, k, "top-k needs k >= 1, got " + k);
        }
        return new TopK(k);
    }

    /** The same scoring function for every image. */
    static Target each(CamTarget target) {
        return new Each(target);
    }

    /** One scoring function per image, in batch order (the list's size must be the batch size). */
    static Target perImage(List<? extends CamTarget> targets) {
        if (targets.isEmpty()) {
            throw new TorchsightException(TorchsightException.Kind.INPUT, null, "per-image targets need at least one target");
        }
        return new PerImage(List.copyOf(targets));
    }

    /** How many maps this target yields per image. */
    int count();

    /** The top-1 class. */
    record TopClass() implements Target {
        @Override
        public int count() {
            return 1;
        }
    }

    /** A given class. @param index the class index */
    record ClassIndex(int index) implements Target {
        @Override
        public int count() {
            return 1;
        }
    }

    /** The k best classes. @param k how many */
    record TopK(int k) implements Target {
        @Override
        public int count() {
            return k;
        }
    }

    /** One function for all images. @param target the scoring function */
    record Each(CamTarget target) implements Target {
        @Override
        public int count() {
            return 1;
        }
    }

    /** One function per image. @param targets the scoring functions, in batch order */
    record PerImage(List<CamTarget> targets) implements Target {
        @Override
        public int count() {
            return 1;
        }
    }
}
