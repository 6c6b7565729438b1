package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.model.Model;
import java.util.List;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * The extension point of the CAM family: one small class per method. The engine ({@link Cam}) runs
 * the forward pass, scores the targets, takes gradients (only when {@link #usesGradients()}), and after
 * the method has made its map applies ReLU, scales each map to [0, 1], resizes it to the input and
 * averages layers. A method overrides only what differs:
 * <ul>
 *   <li>{@link #channelWeights}: one weight per channel (Grad-CAM, Grad-CAM++, Score-CAM...);</li>
 *   <li>{@link #weightedActivations}: element-wise weighting (HiResCAM, LayerCAM...);</li>
 *   <li>{@link #camImage}: the whole map (Eigen-CAM).</li>
 * </ul>
 * Definitions follow pytorch-grad-cam's, so maps are comparable with it. Methods hold no state: one
 * instance serves any number of models and threads.
 */
public abstract class CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** The method's name on the command line, e.g. {@code gradcam}. */
    public abstract String name();

    /** Whether the method needs the gradients of the target scores (default: yes). */
    public boolean usesGradients() {
        return true;
    }

    /**
     * The layers the method reads, given the ones the caller asked for (default: those; FullGrad uses
     * every bias layer instead).
     */
    protected List<String> layers(Model model, List<String> requested) {
        return requested;
    }

    /** Whether the method also needs the gradient of the target scores with respect to the input (FullGrad). */
    protected boolean usesInputGradient() {
        return false;
    }

    /**
     * The whole map from every layer at once, N x H x W at the input's size, for methods whose layers are
     * not averaged (FullGrad sums them); the engine then scales it to [0, 1]. Default: null, meaning one
     * map per layer from {@link #camImage}, averaged.
     *
     * @param input the input batch
     * @param layers one context per layer (none when the method found no layer to read)
     * @param inputGradient the gradient with respect to the input when {@link #usesInputGradient()}, else null
     */
    protected Tensor combinedMap(Tensor input, List<CamContext> layers, Tensor inputGradient) {
        return null;
    }

    /**
     * The targets the method explains, given the ones the caller asked for (one per image) and the
     * model's class scores (N x classes, or null when the output has none); {@code chosenByModel} is true
     * when the targets are the model's own top classes. Default: unchanged (Finer-CAM compares them with
     * similar classes).
     */
    protected List<CamTarget> targets(List<CamTarget> requested, Tensor scores, boolean chosenByModel) {
        return requested;
    }

    /**
     * One weight per image and channel, N x C. Methods that weigh whole channels override this.
     *
     * @throws UnsupportedOperationException when the method makes its map another way
     */
    protected Tensor channelWeights(CamContext context) {
        throw new UnsupportedOperationException(name() + " has no channel weights");
    }

    /** The activations weighted by the method, N x C x h x w (default: channel weights times activations). */
    protected Tensor weightedActivations(CamContext context) {
        return channelWeights(context).unsqueeze(2).unsqueeze(3).mul(context.activations());
    }

    /**
     * The map before ReLU and scaling, N x h x w (default: the sum of the weighted activations over the
     * channels, or their first principal component with eigen-smoothing).
     */
    protected Tensor camImage(CamContext context) {
        Tensor weighted = weightedActivations(context);
        return context.eigenSmooth() ? Projections.firstComponent(weighted)
                : weighted.sum(new long[] {1}, false, new ScalarTypeOptional());
    }

    /** Eigen-CAM's projection, for methods built on it. */
    protected static Tensor firstPrincipalComponent(Tensor maps) {
        return Projections.firstComponent(maps);
    }

    /** Runs the method's map step (the engine's entry point). */
    final Tensor map(CamContext context) {
        return camImage(context);
    }

    @Override
    public String toString() {
        return name();
    }
}
