package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Grad-CAM++ (Chattopadhyay et al.), with the closed form of its equation 19 for the alphas. */
public final class GradCamPlusPlus extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "gradcam++";
    }

    @Override
    protected Tensor channelWeights(CamContext c) {
        Tensor g = c.gradients();
        Tensor g2 = g.mul(g);
        Tensor g3 = g2.mul(g);
        Tensor sumA = c.activations().sum(new long[] {2, 3}, true, new ScalarTypeOptional());
        Tensor alpha = g2.div(g2.mul(new Scalar(2.0)).add(sumA.mul(g3)).add(new Scalar(1e-6)));
        alpha = torch.where(g.ne(new Scalar(0.0)), alpha, torch.zeros_like(alpha));
        return torch.relu(g).mul(alpha).sum(new long[] {2, 3}, false, new ScalarTypeOptional());
    }
}
