package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.NativeErrors;
import dev.torchsight.model.LayerTap;
import dev.torchsight.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The CAM template: forward with a tap, target scoring, gradient of the score at the tap (from the
 * score back to the tap only), the method's channel weights, weighted sum, ReLU, bilinear resize to
 * the input, per-image min-max normalisation. Subclasses supply only {@link #channelWeights}.
 *
 * <p>Thread-safe: {@link #explain} may be called from many threads on one instance; each call holds
 * the model for its forward pass, tap read and gradients (see {@link LayerTap#run}), so calls on one
 * model are serialised and give the same maps as one thread. For parallel work, use one model (and one
 * CAM) per thread. Results are plain Java values; every native object a call creates is freed before
 * it returns, and the input batch is only read.
 */
public abstract class CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final LayerTap tap;

    /**
     * Taps {@code layer} of {@code model}; the tap is reused for every call.
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the layer does not exist or cannot be tapped
     */
    protected CamMethod(Model model, String layer) {
        this.tap = model.tap(layer);
    }

    /**
     * Per-image, per-channel weights (N x C) from the tapped activations and the gradient of the
     * target score with respect to them (both N x C x h x w).
     */
    protected abstract Tensor channelWeights(Tensor activations, Tensor gradients);

    /** The tapped layer's name. */
    public String layer() {
        return tap.name();
    }

    /**
     * Explains a preprocessed batch (N x C x H x W float): one result per image and target, ordered
     * by image, then rank.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT_SIZE} when the batch is not 4-D,
     *         {@link Kind#LAYER} when the layer's output is not a spatial map, {@link Kind#MODEL} when the
     *         model's output is not N x classes scores or its forward pass fails, {@link Kind#CLASS_INDEX}
     *         or {@link Kind#TOP_K} when the target asks for more classes than the model has
     */
    public List<CamResult> explain(Tensor batch, Target target) {
        if (batch.dim() != 4) {
            throw new TorchsightException(Kind.INPUT_SIZE, batch.dim(), "CAM input must be a batch N x C x H x W, got "
                    + batch.dim() + " dimensions");
        }
        int n = (int) batch.size(0);
        int height = (int) batch.size(2);
        int width = (int) batch.size(3);
        List<CamResult> results = new ArrayList<>();
        try (AutoGradMode grad = new AutoGradMode(true)) {
            tap.run(batch, (logits, activations) -> {
                explain(logits, activations, target, n, height, width, results);
                return null;
            });
        }
        results.sort((a, b) -> a.imageIndex() != b.imageIndex() ? Integer.compare(a.imageIndex(), b.imageIndex())
                : Integer.compare(a.rank(), b.rank()));
        return results;
    }

    /** One pass's maps (the model is held by this thread; native objects are freed by the caller's scope). */
    private void explain(Tensor logits, Tensor activations, Target target, int n, int height, int width,
                         List<CamResult> results) {
        if (activations.dim() != 4) {
            throw new TorchsightException(Kind.LAYER, tap.name(), "layer " + tap.name() + " outputs "
                    + Arrays.toString(activations.sizes().vec().get())
                    + ", not a spatial map N x C x H x W; pick a convolutional layer");
        }
        if (logits.dim() != 2 || logits.size(0) != n) {
            throw new TorchsightException(Kind.MODEL, tap.model().path(), "the model's output has shape "
                    + Arrays.toString(logits.sizes().vec().get()) + "; a CAM needs class scores N x classes");
        }
        if (logits.size(1) < 1) {
            throw new TorchsightException(Kind.MODEL, tap.model().path(), "the model outputs " + logits.size(1)
                    + " class scores per image; a CAM needs at least one class score");
        }
        if (!logits.is_floating_point()) {
            throw new TorchsightException(Kind.MODEL, tap.model().path(), "the model outputs "
                    + logits.scalar_type() + " class scores; a CAM needs floating-point scores computed from the input");
        }
        if (!logits.requires_grad()) {
            throw new TorchsightException(Kind.LAYER, tap.name(), "the class scores do not depend on layer "
                    + tap.name() + "'s output through autograd: pick a layer that feeds the scores, or, if the model "
                    + "detaches its output, export a forward that computes the scores from the input");
        }
        int classes = (int) logits.size(1);
        Tensor detached = logits.detach();
        // Scores are read back once per call; every target rank reuses them.
        Scores scores = new Scores(classes, toDoubles(detached),
                toDoubles(torch.softmax(detached, 1, new ScalarTypeOptional())),
                toLongs(detached.argmax(new org.bytedeco.pytorch.LongOptional(1), false), n));
        int[][] targets = targetClasses(detached, target, classes);
        Tensor maps = activations.detach();
        for (int rank = 0; rank < target.count(); rank++) {
            Tensor index = Tensor.create(column(targets, rank), n, 1).to(logits.device(), torch.ScalarType.Long);
            Tensor score = logits.gather(1, index).sum();
            boolean more = rank + 1 < target.count();
            TensorVector g;
            try {
                g = torch.grad(new TensorVector(score), new TensorVector(activations),
                        new TensorVector(), new BoolOptional(more), false, false);
            } catch (RuntimeException e) {
                throw new TorchsightException(Kind.LAYER, tap.name(), "the gradient of the class score at layer "
                        + tap.name() + " failed: " + NativeErrors.reason(e)
                        + "; pick a layer whose output the class scores depend on", e);
            }
            Tensor gradients = g.get(0);
            Tensor weights = channelWeights(maps, gradients);
            Tensor raw = torch.relu(weights.unsqueeze(2).unsqueeze(3).mul(maps)
                    .sum(new long[] {1}, false, new ScalarTypeOptional()));
            Tensor resized = torch.upsample_bilinear2d(raw.unsqueeze(1), new long[] {height, width}, false)
                    .squeeze(1);
            Tensor normalised = normalisePerImage(resized);
            results.addAll(collect(rank, targets, scores, raw, normalised));
        }
    }

    /** Logits, probabilities (row-major, N x classes) and the top-1 class of each image. */
    private record Scores(int classes, double[] logits, double[] probabilities, long[] top1) { }

    private static List<CamResult> collect(int rank, int[][] targets, Scores scores, Tensor raw, Tensor normalised) {
        int n = targets.length;
        int rh = (int) raw.size(1);
        int rw = (int) raw.size(2);
        int h = (int) normalised.size(1);
        int w = (int) normalised.size(2);
        float[] rawAll = toFloats(raw, (long) n * rh * rw);
        float[] mapAll = toFloats(normalised, (long) n * h * w);
        int classes = scores.classes();
        List<CamResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int cls = targets[i][rank];
            out.add(new CamResult(i, rank, cls, scores.logits()[i * classes + cls],
                    scores.probabilities()[i * classes + cls], (int) scores.top1()[i],
                    Arrays.copyOfRange(rawAll, i * rh * rw, (i + 1) * rh * rw), rh, rw,
                    Arrays.copyOfRange(mapAll, i * h * w, (i + 1) * h * w), h, w));
        }
        return out;
    }

    /** (x - min) / (max - min) per image; a constant map becomes all zeros, never NaN. */
    private static Tensor normalisePerImage(Tensor maps) {
        long n = maps.size(0);
        Tensor flat = maps.reshape(n, -1);
        Tensor min = flat.amin(new long[] {1}, true);
        Tensor range = flat.amax(new long[] {1}, true).sub(min);
        Tensor safe = torch.where(range.gt(new Scalar(0.0)), range, torch.ones_like(range));
        Tensor scaled = flat.sub(min).div(safe);
        return torch.where(range.gt(new Scalar(0.0)), scaled, torch.zeros_like(scaled)).reshape(maps.sizes());
    }

    private static int[][] targetClasses(Tensor logits, Target target, int classes) {
        int n = (int) logits.size(0);
        int[][] out = new int[n][target.count()];
        if (target instanceof Target.ClassIndex c) {
            if (c.index() >= classes) {
                throw new TorchsightException(Kind.CLASS_INDEX, c.index(), "class index " + c.index()
                        + " is out of range: the model has " + classes + " classes (use 0.." + (classes - 1) + ")");
            }
            for (int i = 0; i < n; i++) {
                out[i][0] = c.index();
            }
        } else {
            int k = target.count();
            if (k > classes) {
                throw new TorchsightException(Kind.TOP_K, k, "top-k " + k + " exceeds the model's " + classes
                        + " classes (use 1.." + classes + ")");
            }
            T_TensorTensor_T top = logits.topk(k, 1, true, true);
            long[] idx = toLongs(top.get1(), (long) n * k);
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < k; r++) {
                    out[i][r] = (int) idx[i * k + r];
                }
            }
        }
        return out;
    }

    private static long[] column(int[][] targets, int rank) {
        long[] col = new long[targets.length];
        for (int i = 0; i < targets.length; i++) {
            col[i] = targets[i][rank];
        }
        return col;
    }

    private static long[] toLongs(Tensor t, long count) {
        long[] out = new long[(int) count];
        t.cpu().to(torch.ScalarType.Long).contiguous().data_ptr_long().get(out);
        return out;
    }

    private static float[] toFloats(Tensor t, long count) {
        float[] out = new float[(int) count];
        t.cpu().to(torch.ScalarType.Float).contiguous().data_ptr_float().get(out);
        return out;
    }

    private static double[] toDoubles(Tensor t) {
        double[] out = new double[(int) t.numel()];
        t.cpu().to(torch.ScalarType.Double).contiguous().data_ptr_double().get(out);
        return out;
    }
}
