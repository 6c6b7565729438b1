package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** LayerCAM (Jiang et al.): activations weighed position by position by the positive gradients. */
public final class LayerCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "layercam";
    }

    @Override
    protected Tensor weightedActivations(CamContext c) {
        return torch.relu(c.gradients()).mul(c.activations());
    }
}
