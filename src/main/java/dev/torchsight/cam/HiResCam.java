package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** HiResCAM (Draelos and Carin): gradients times activations element-wise, summed over channels. */
public final class HiResCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "hirescam";
    }

    @Override
    protected Tensor weightedActivations(CamContext c) {
        return c.gradients().mul(c.activations());
    }
}
