package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.model.Model;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Grad-CAM (Selvaraju et al.): each channel weighed by the spatial mean of its gradient. */
public final class GradCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Grad-CAM at a named layer of a model (the tap is installed once and reused). */
    public static Cam at(Model model, String layer) {
        return Cam.builder(model).setMethod(new GradCam()).setLayers(layer).build();
    }

    @Override
    public String name() {
        return "gradcam";
    }

    @Override
    protected Tensor channelWeights(CamContext c) {
        return c.gradients().mean(new long[] {2, 3}, false, new ScalarTypeOptional());
    }
}
