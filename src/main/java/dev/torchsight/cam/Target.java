package dev.torchsight.cam;

import dev.torchsight.core.TorchsightException;

/** Which class score a CAM explains. */
public sealed interface Target permits Target.TopClass, Target.ClassIndex, Target.TopK {
    /** The predicted (highest-scoring) class: the default. */
    static Target topClass() {
        return new TopClass();
    }

    /** A fixed class index. */
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
}
