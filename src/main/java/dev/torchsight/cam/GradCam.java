package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.model.Model;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * Grad-CAM (Selvaraju et al.): each channel is weighted by the spatial mean of the gradient of the
 * target score with respect to it.
 *
 * <pre>{@code
 * GradCam cam = GradCam.at(model, "layer4");
 * List<CamResult> maps = cam.explain(batch, Target.topClass());
 * }</pre>
 */
public final class GradCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private GradCam(Model model, String layer) {
        super(model, layer);
    }

    /** Grad-CAM at a named layer of a model (the tap is installed once and reused). */
    public static GradCam at(Model model, String layer) {
        return new GradCam(model, layer);
    }

    @Override
    protected Tensor channelWeights(Tensor activations, Tensor gradients) {
        return gradients.mean(new long[] {2, 3}, false, new ScalarTypeOptional());
    }
}
