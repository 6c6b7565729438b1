package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Eigen-CAM (Muhammad and Yeasin): the first principal component of the activations; no gradients. */
public final class EigenCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "eigencam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    protected Tensor camImage(CamContext c) {
        return firstPrincipalComponent(c.activations());
    }
}
