package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** XGrad-CAM (Fu et al.): gradients weighed by the activations' share of their channel sum. */
public final class XGradCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "xgradcam";
    }

    @Override
    protected Tensor channelWeights(CamContext c) {
        Tensor a = c.activations();
        Tensor sums = a.sum(new long[] {2, 3}, true, new ScalarTypeOptional()).add(new Scalar(1e-7));
        return c.gradients().mul(a).div(sums).sum(new long[] {2, 3}, false, new ScalarTypeOptional());
    }
}
