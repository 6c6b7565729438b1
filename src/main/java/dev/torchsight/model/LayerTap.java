package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import org.bytedeco.pytorch.Tensor;

/**
 * Captures the output of one named submodule during the model's normal forward pass; the captured
 * tensor is the leaf from which autograd records, so the gradient of any later score with respect to
 * it is computed from the score back to the tap only. Obtain one with {@link Model#tap(String)}.
 */
public final class LayerTap {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final String name;
    private final Model model;

    LayerTap(String name, Model model) {
        this.name = name;
        this.model = model;
    }

    /** The dotted path of the tapped submodule. */
    public String name() {
        return name;
    }

    /** The submodule's output in the last forward pass. */
    public Tensor value() {
        Tensor t = GraphTap.lastValue(model.submodule(name));
        if (t == null) {
            throw new TorchsightException("layer " + name + " did not run in the last forward pass; "
                    + "pick a layer the model's forward uses (see torchsight layers)");
        }
        return t;
    }

    /** Drops the stored output (so it is not kept alive between calls). */
    public void clear() {
        GraphTap.clear(model.submodule(name));
    }
}
