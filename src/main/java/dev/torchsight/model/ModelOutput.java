package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Tensor;

/**
 * A model's output in one forward pass: the class-score tensor ({@link #scores()}, chosen as
 * {@link Model#forward} chooses it) and, for models that return a tuple, list or dict (detection
 * style), any element by position or key. Valid only inside the call that hands it out (its native
 * values are freed when that call returns).
 */
public final class ModelOutput {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final Model model;
    private final IValue value;

    ModelOutput(Model model, IValue value) {
        this.model = model;
        this.value = value;
    }

    /**
     * An output that is just a tensor of scores (e.g. what {@link Model#forward} returned), for scoring
     * functions applied to it.
     */
    public static ModelOutput of(Tensor scores) {
        return new ModelOutput(null, new IValue(scores));
    }

    /** The class scores (N x classes, or N x classes x H x W for segmentation), chosen like {@link Model#forward}. */
    public Tensor scores() {
        return model == null ? new Tensor(value.toTensor()) : model.selectOutput(value);
    }

    /** Whether {@link #scores()} finds a tensor (the output is one, or the model chooses one of its elements). */
    public boolean isScores() {
        try {
            scores();
            return true;
        } catch (TorchsightException e) {
            return false;
        }
    }

    /**
     * Element {@code index} of a tuple or list output.
     *
     * @throws TorchsightException of kind {@link Kind#OUTPUT_INDEX} when the output has no such tensor element
     */
    public Tensor element(int index) {
        IValue item = null;
        if (value.isTuple() && index >= 0 && index < value.toTuple().elements().size()) {
            item = value.toTuple().elements().get(index);
        } else if (value.isList() && index >= 0 && index < value.toList().size()) {
            item = value.toList().get(index);
        }
        if (item == null || !item.isTensor()) {
            throw new TorchsightException(Kind.OUTPUT_INDEX, index, "the model's output has no tensor at position " + index);
        }
        return new Tensor(item.toTensor());
    }

    /**
     * Element {@code key} of a dict output with string keys.
     *
     * @throws TorchsightException of kind {@link Kind#OUTPUT_INDEX} when the output has no such tensor element
     */
    public Tensor element(String key) {
        if (value.isGenericDict()) {
            var dict = value.toGenericDict();
            for (var it = dict.begin(); it.notEquals(dict.end()); it = it.increment()) {
                IValue k = it.access().key();
                if (k.isString() && k.toStringRef().getString().equals(key) && it.access().value().isTensor()) {
                    return new Tensor(it.access().value().toTensor());
                }
            }
        }
        throw new TorchsightException(Kind.OUTPUT_INDEX, null, "the model's output has no tensor under key '" + key + "'");
    }
}
