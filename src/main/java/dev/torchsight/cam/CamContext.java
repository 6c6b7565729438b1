package dev.torchsight.cam;

import dev.torchsight.core.Device;
import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.model.LayerTap;
import dev.torchsight.model.Model;
import dev.torchsight.model.ModelOutput;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What a {@link CamMethod} sees for one layer and one target rank of a batch: the model, the input
 * batch, the targets (one scoring function per image), the layer's activations and, only for methods
 * that declare {@link CamMethod#usesGradients()}, the gradients of the summed target scores with respect
 * to them. Both are N x C x h x w (token layers already reshaped). Valid only during the call that
 * hands it out; its tensors are freed when that call returns.
 */
public final class CamContext {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final LayerTap tap;
    private final Tensor input;
    private final List<CamTarget> targets;
    private final Tensor activations;
    private final Tensor layerValues;
    private final Tensor gradients;
    private final boolean eigenSmooth;
    private final int camBatch;
    private final float[] targetScores;
    private final int channelAxis;
    private Boolean suffixOnly;
    /** Whether {@link #scoreRows} hands the model channels-last rows; decided at its first pass. */
    private Boolean channelsLast;

    CamContext(LayerTap tap, Tensor input, List<CamTarget> targets, Tensor activations, Tensor layerValues,
               Tensor gradients, boolean eigenSmooth, int camBatch, float[] targetScores, int channelAxis) {
        this.tap = tap;
        this.input = input;
        this.targets = targets;
        this.activations = activations;
        this.layerValues = layerValues;
        this.gradients = gradients;
        this.eigenSmooth = eigenSmooth;
        this.camBatch = camBatch;
        this.targetScores = targetScores;
        this.channelAxis = channelAxis;
    }

    /** The model. */
    public Model model() {
        return tap.model();
    }

    /** The layer's tap, for methods that run their own passes over it (Shapley-CAM's second-order gradient). */
    LayerTap tap() {
        return tap;
    }

    /** The layer's name. */
    public String layer() {
        return tap.name();
    }

    /** The input batch, N x C x H x W, on the model's device. */
    public Tensor input() {
        return input;
    }

    /** The target of each image, in batch order. */
    public List<CamTarget> targets() {
        return targets;
    }

    /** The layer's activations, N x C x h x w (detached). */
    public Tensor activations() {
        return activations;
    }

    /**
     * The gradients of the target scores with respect to the activations, N x C x h x w.
     *
     * @throws IllegalStateException when the method did not declare that it uses gradients
     */
    public Tensor gradients() {
        if (gradients == null) {
            throw new IllegalStateException("this method declared that it uses no gradients");
        }
        return gradients;
    }

    /** Whether the map should be the first principal component of the weighted activations. */
    public boolean eigenSmooth() {
        return eigenSmooth;
    }

    /** How many inputs one extra forward pass may hold (Score-CAM's masked images, Ablation-CAM's channels). */
    public int camBatch() {
        return camBatch;
    }

    /** Each image's target score in the pass that produced the activations. */
    public float targetScore(int image) {
        return targetScores[image];
    }

    /**
     * The target's score for each row of {@code inputs} (R x C x H x W), from forward passes of at most
     * {@link #camBatch()} rows without gradients. On the CPU the rows go in channels-last (NHWC) layout,
     * on which libtorch's convolutions run faster (about 0.8 x the time of NCHW for a ResNet-34 at 224 x 224,
     * the scores equal to float rounding); a model that refuses that layout (e.g. a {@code view} of a
     * convolution's output) gets NCHW rows from then on in this context.
     */
    public float[] scoreRows(Tensor inputs, CamTarget target) {
        int rows = (int) inputs.size(0);
        float[] out = new float[rows];
        try (NoGradGuard guard = new NoGradGuard()) {
            for (int from = 0; from < rows; from += camBatch) {
                int count = Math.min(camBatch, rows - from);
                try (PointerScope pass = new PointerScope()) {  // frees the pass's tensors before the next one
                    read(forwardRows(inputs.narrow(0, from, count)), target, from, count, out);
                }
            }
        }
        return out;
    }

    /** One forward pass of {@link #scoreRows}: channels-last where it applies and the model accepts it. */
    private Tensor forwardRows(Tensor rows) {
        if (channelsLast == null) {
            channelsLast = model().device() == Device.CPU && rows.dim() == 4;
        }
        if (!channelsLast) {
            return model().forward(rows);
        }
        Tensor last = rows.contiguous(torch.MemoryFormat.ChannelsLast);
        try {
            return model().forward(last);
        } catch (TorchsightException e) {
            channelsLast = false;  // the model's forward depends on the layout: NCHW, as the caller gave it
            return model().forward(rows);
        }
    }

    /**
     * The target's score of image {@code image} with the layer's output replaced by each row of
     * {@code values} (R rows, shaped like one image's layer output with a leading row axis: the layer's
     * own shape, before any token reshape). Only the part of the network after the layer is re-run
     * when the graph broadcasts the one image's earlier values over the rows (checked once against a
     * full re-run); otherwise the image is repeated R times.
     */
    public float[] scoreWithLayerValues(int image, Tensor values, CamTarget target) {
        int rows = (int) values.size(0);
        float[] out = new float[rows];
        try (NoGradGuard guard = new NoGradGuard()) {
            Tensor one = input.narrow(0, image, 1);
            if (suffixOnly == null) {
                suffixOnly = suffixMatchesFullRun(one, values.narrow(0, 0, Math.min(2, rows)), target);
            }
            Tensor source = suffixOnly ? one : one.expand(new long[] {rows, one.size(1), one.size(2), one.size(3)}).contiguous();
            read(tap.runWithOutput(source, values.clone()), target, 0, rows, out);
        }
        return out;
    }

    /** The layer's own output of one image (before any token reshape), with a leading axis of 1. */
    public Tensor layerValues(int image) {
        return layerValues.narrow(0, image, 1);
    }

    /** The axis of {@link #layerValues} that holds the channels. */
    public int channelAxis() {
        return channelAxis;
    }

    private boolean suffixMatchesFullRun(Tensor one, Tensor probe, CamTarget target) {
        int rows = (int) probe.size(0);
        float[] suffix = new float[rows];
        float[] full = new float[rows];
        try {
            Tensor s = tap.runWithOutput(one, probe.clone());
            if (s.size(0) != rows) {
                return false;
            }
            read(s, target, 0, rows, suffix);
        } catch (RuntimeException e) {
            return false;  // the graph does not broadcast the earlier layers' values: re-run them per row
        }
        Tensor repeated = one.expand(new long[] {rows, one.size(1), one.size(2), one.size(3)}).contiguous();
        read(tap.runWithOutput(repeated, probe.clone()), target, 0, rows, full);
        for (int r = 0; r < rows; r++) {
            if (!(Math.abs(suffix[r] - full[r]) <= 1e-4 * Math.max(1, Math.abs(full[r])))) {
                return false;
            }
        }
        return true;
    }

    private void read(Tensor scores, CamTarget target, int from, int count, float[] out) {
        ModelOutput output = ModelOutput.of(scores);
        for (int r = 0; r < count; r++) {
            out[from + r] = (float) target.score(output, r).item_double();
        }
    }
}
