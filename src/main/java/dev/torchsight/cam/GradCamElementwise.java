package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Grad-CAM element-wise: ReLU of gradients times activations, summed over channels. */
public final class GradCamElementwise extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "gradcam-elementwise";
    }

    @Override
    protected Tensor weightedActivations(CamContext c) {
        return torch.relu(c.gradients().mul(c.activations()));
    }
}
