package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Eigen-Grad-CAM: the first principal component of gradients times activations. */
public final class EigenGradCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "eigengradcam";
    }

    @Override
    protected Tensor camImage(CamContext c) {
        return firstPrincipalComponent(c.gradients().mul(c.activations()));
    }
}
