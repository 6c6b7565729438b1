package dev.torchsight.cam;

import dev.torchsight.core.Device;
import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.NativeErrors;
import dev.torchsight.model.LayerTap;
import dev.torchsight.model.Model;
import dev.torchsight.model.ModelOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A CAM bound to a model, one or more layers and a {@link CamMethod}: the engine of the family. For a
 * batch it runs one forward pass with the layers tapped, scores each image's targets, takes the
 * gradients of the summed scores at the layers (only when the method uses them; from the scores back
 * to the layers only), lets the method make each layer's map, then applies ReLU, scales each map to
 * [0, 1] (minus its minimum, over 1e-7 plus its maximum), resizes it bilinearly to the input, averages
 * the layers and scales again — pytorch-grad-cam's steps, so maps agree with it.
 *
 * <pre>{@code
 * Cam cam = Cam.builder(model).setMethod(new ScoreCam()).setLayers("layer4").build();
 * List<CamResult> maps = cam.explain(batch, Target.perImage(List.of(CamTarget.logit(3), CamTarget.logit(7))));
 * }</pre>
 *
 * <p>Thread-safe: calls on one model run one at a time (each holds the model for its passes) and give
 * the same maps as one thread. Results are plain Java values; every native object a call creates is
 * freed before it returns, and the input batch is only read.
 */
public final class Cam {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Which values of a tapped layer the maps are made of. */
    public enum LayerValues {
        /**
         * The layer's output as the model left it at the end of the forward pass: what pytorch-grad-cam
         * reads on CPU (its stored activation shares memory with the output, so an in-place change after
         * the layer, such as ResNet's {@code out += identity} after {@code bn3}, shows in it). The default.
         */
        FINAL,
        /** The layer's output as it returned it (what a forward hook sees at that moment). */
        MODULE_OUTPUT
    }

    private static final double[] BRIGHTNESS = {0.9, 1.0, 1.1};

    private final Model model;
    private final List<LayerTap> taps;
    private final CamMethod method;
    private final Reshape reshape;
    private final boolean eigenSmooth;
    private final boolean augSmooth;
    private final int camBatch;
    private final LayerValues layerValues;

    private Cam(Builder b) {
        this.model = b.model;
        this.method = b.method;
        this.reshape = b.reshape;
        this.eigenSmooth = b.eigenSmooth;
        this.augSmooth = b.augSmooth;
        this.camBatch = b.camBatch;
        this.layerValues = b.layerValues;
        List<LayerTap> list = new ArrayList<>();
        for (String layer : method.layers(model, b.layers)) {
            list.add(model.tap(layer));
        }
        this.taps = List.copyOf(list);
    }

    /** A builder for a CAM of {@code model} (default: Grad-CAM at {@code layer4}). */
    public static Builder builder(Model model) {
        return new Builder(model);
    }

    /** The method. */
    public CamMethod method() {
        return method;
    }

    /** The tapped layers' names, comma-separated. */
    public String layer() {
        return String.join(",", layers());
    }

    /** The tapped layers' names. */
    public List<String> layers() {
        return taps.stream().map(LayerTap::name).toList();
    }

    /** The model. */
    public Model model() {
        return model;
    }

    /**
     * The same CAM (method, layers, reshape, smoothing, CAM batch, layer values) on another model, e.g. a
     * copy with randomised weights.
     *
     * @throws TorchsightException of kind {@link Kind#LAYER} when the other model lacks a layer
     */
    public Cam on(Model other) {
        return builder(other).setMethod(method).setLayers(layers().toArray(String[]::new)).optReshape(reshape)
                .optEigenSmooth(eigenSmooth).optAugSmooth(augSmooth).optCamBatch(camBatch).optLayerValues(layerValues)
                .build();
    }

    /**
     * Explains a preprocessed batch (N x C x H x W float): one result per image and target, ordered by
     * image, then rank.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT_SIZE} when the batch is not 4-D,
     *         {@link Kind#LAYER} when a layer's output is not a spatial map (and no reshape makes it one),
     *         {@link Kind#MODEL} when the model's output does not fit the target or its forward pass fails,
     *         {@link Kind#CLASS_INDEX} or {@link Kind#TOP_K} when a target asks for more classes than the model has
     */
    public List<CamResult> explain(Tensor batch, Target target) {
        if (batch.dim() != 4) {
            throw new TorchsightException(Kind.INPUT_SIZE, batch.dim(), "CAM input must be a batch N x C x H x W, got "
                    + batch.dim() + " dimensions");
        }
        if (target instanceof Target.PerImage p && p.targets().size() != batch.size(0)) {
            throw new TorchsightException(Kind.INPUT, null, "per-image targets: " + p.targets().size()
                    + " targets for a batch of " + batch.size(0) + " images; give one target per image");
        }
        if (!augSmooth) {
            return pass(batch, target).results();
        }
        // pytorch-grad-cam's test-time augmentation: flips x brightness, maps averaged after undoing the flip.
        PassResult base = null;
        float[][] sums = null;
        int count = 0;
        for (boolean flip : new boolean[] {false, true}) {
            for (double factor : BRIGHTNESS) {
                PassResult p;
                try (PointerScope scope = new PointerScope()) {
                    Tensor augmented = factor == 1.0 ? batch : batch.mul(new Scalar(factor));
                    p = pass(flip ? augmented.flip(3) : augmented, target);
                }
                if (flip) {
                    p.unflipMaps();
                }
                if (sums == null) {
                    sums = new float[p.maps.length][p.maps[0].length];
                }
                for (int r = 0; r < sums.length; r++) {
                    for (int k = 0; k < sums[r].length; k++) {
                        sums[r][k] += p.maps[r][k];
                    }
                }
                count++;
                if (!flip && factor == 1.0) {
                    base = p;
                }
            }
        }
        for (int r = 0; r < sums.length; r++) {
            for (int k = 0; k < sums[r].length; k++) {
                base.maps[r][k] = sums[r][k] / count;
            }
        }
        return base.results();
    }

    /** One forward pass and its maps, read back as Java values. */
    private PassResult pass(Tensor batch, Target target) {
        int n = (int) batch.size(0);
        Tensor onDevice = model.device() == Device.CPU ? batch : batch.to(model.device().toTorch(), batch.scalar_type());
        Tensor input = method.usesInputGradient() ? onDevice.detach().requires_grad_(true) : onDevice;
        try (AutoGradMode grad = new AutoGradMode(method.usesGradients())) {
            return LayerTap.runAll(model, taps, input, (output, values) -> {
                PassResult result = new PassResult(n, target.count(), (int) batch.size(2), (int) batch.size(3));
                List<List<CamTarget>> ranks = resolve(target, output, n, result);
                for (int rank = 0; rank < ranks.size(); rank++) {
                    explainRank(input, output, values, ranks.get(rank), rank, rank + 1 < ranks.size(), result);
                }
                return result;
            });
        } catch (TorchsightException e) {
            throw e;
        } catch (RuntimeException e) {
            if (e.getClass() != RuntimeException.class) {
                throw e;  // a Java defect, not libtorch's
            }
            throw new TorchsightException(Kind.MODEL, model.path(), method.name() + " failed on this model: "
                    + NativeErrors.reason(e), e);
        }
    }

    private void explainRank(Tensor input, ModelOutput output, List<LayerTap.Values> values, List<CamTarget> targets,
                             int rank, boolean more, PassResult result) {
        int n = targets.size();
        float[] scores = new float[n];
        Tensor total = null;
        for (int i = 0; i < n; i++) {
            Tensor s = targets.get(i).score(output, i);
            if (s.numel() != 1) {
                throw new TorchsightException(Kind.MODEL, model.path(), "a target's score must be one number, got shape "
                        + Arrays.toString(s.sizes().vec().get()));
            }
            s = s.reshape();
            scores[i] = (float) s.item_double();
            total = total == null ? s : total.add(s);
        }
        List<Tensor> gradients = method.usesGradients() ? gradients(total, values, more, input) : null;
        List<CamContext> contexts = new ArrayList<>();
        for (int l = 0; l < taps.size(); l++) {
            LayerTap.Values v = values.get(l);
            Tensor raw = (layerValues == LayerValues.FINAL ? v.finalValues() : v.output()).detach();
            Tensor activations = spatial(raw, taps.get(l).name());
            Tensor grads = gradients == null ? null : spatial(gradients.get(l), taps.get(l).name());
            contexts.add(new CamContext(taps.get(l), input.detach(), targets, activations, raw, grads, eigenSmooth,
                    camBatch, scores, reshape == null ? 1 : reshape.channelAxis()));
        }
        Tensor combined = method.combinedMap(input.detach(), contexts,
                method.usesInputGradient() && gradients != null ? gradients.get(taps.size()) : null);
        if (combined != null) {
            result.setRaw(rank, MapValues.floats(combined), (int) combined.size(1), (int) combined.size(2));
            result.setRank(rank, targets, scores, MapValues.floats(MapValues.scale(combined, 0, 0)));
            return;
        }
        List<Tensor> perLayer = new ArrayList<>();
        for (int l = 0; l < taps.size(); l++) {
            Tensor map = torch.relu(method.map(contexts.get(l)));
            if (l == 0) {
                result.setRaw(rank, MapValues.floats(map), (int) map.size(1), (int) map.size(2));
            }
            perLayer.add(MapValues.scale(map, input.size(2), input.size(3)));
        }
        result.setRank(rank, targets, scores, MapValues.floats(MapValues.aggregate(perLayer)));
    }

    /** The gradients at each layer's output, then (when the method asks for it) at the input. */
    private List<Tensor> gradients(Tensor total, List<LayerTap.Values> values, boolean more, Tensor input) {
        if (!total.requires_grad()) {
            throw new TorchsightException(Kind.LAYER, layer(), "the target scores do not depend on layer " + layer()
                    + "'s output through autograd: pick a layer that feeds the scores, or, if the model detaches its "
                    + "output, export a forward that computes the scores from the input");
        }
        TensorVector leaves = new TensorVector();
        values.forEach(v -> leaves.push_back(v.output()));
        if (method.usesInputGradient()) {
            leaves.push_back(input);
        }
        TensorVector g;
        try {
            g = torch.grad(new TensorVector(total), leaves, new TensorVector(), new BoolOptional(more), false, true);
        } catch (RuntimeException e) {
            throw new TorchsightException(Kind.LAYER, layer(), "the gradient of the target score at layer " + layer()
                    + " failed: " + NativeErrors.reason(e) + "; pick a layer whose output the scores depend on", e);
        }
        List<Tensor> out = new ArrayList<>();
        for (int l = 0; l < taps.size(); l++) {
            Tensor t = g.get(l);
            if (!t.defined()) {
                throw new TorchsightException(Kind.LAYER, taps.get(l).name(), "the target scores do not depend on layer "
                        + taps.get(l).name() + "; pick a layer that feeds the scores");
            }
            out.add(t);
        }
        if (method.usesInputGradient()) {
            out.add(g.get(taps.size()));
        }
        return out;
    }

    /** The layer's values as N x C x h x w: token layers through the reshape. */
    private Tensor spatial(Tensor values, String layer) {
        Tensor t = reshape == null ? values : reshape.apply(values, layer);
        if (t.dim() != 4) {
            throw new TorchsightException(Kind.LAYER, layer, "layer " + layer + " outputs "
                    + Arrays.toString(values.sizes().vec().get()) + ", not a spatial map N x C x H x W; pick a "
                    + "convolutional layer" + (values.dim() == 3 ? ", or reshape its tokens to a grid (vit or HxW)" : ""));
        }
        return t;
    }

    /** The targets of every rank and image, and the class scores' summary when the output has them. */
    private List<List<CamTarget>> resolve(Target target, ModelOutput output, int n, PassResult result) {
        boolean needsClasses = !(target instanceof Target.Each) && !(target instanceof Target.PerImage);
        Tensor scores = null;
        if (needsClasses || output.isScores()) {
            scores = output.scores().detach();
            requireClassScores(scores, n, target, needsClasses);
            result.setScores(scores);
        }
        List<List<CamTarget>> ranks = new ArrayList<>();
        if (target instanceof Target.TopClass) {
            ranks.add(topK(scores, 1, n).get(0));
        } else if (target instanceof Target.TopK t) {
            ranks.addAll(topK(scores, t.k(), n));
        } else if (target instanceof Target.ClassIndex c) {
            if (c.index() >= scores.size(1)) {
                throw new TorchsightException(Kind.CLASS_INDEX, c.index(), "class index " + c.index()
                        + " is out of range: the model has " + scores.size(1) + " classes (use 0.." + (scores.size(1) - 1) + ")");
            }
            ranks.add(java.util.Collections.nCopies(n, CamTarget.logit(c.index())));
        } else if (target instanceof Target.Each e) {
            ranks.add(java.util.Collections.nCopies(n, e.target()));
        } else {
            ranks.add(((Target.PerImage) target).targets());
        }
        boolean chosenByModel = target instanceof Target.TopClass || target instanceof Target.TopK;
        for (int r = 0; r < ranks.size(); r++) {
            ranks.set(r, method.targets(ranks.get(r), scores, chosenByModel));
        }
        return ranks;
    }

    private void requireClassScores(Tensor scores, int n, Target target, boolean needsClasses) {
        if (scores.dim() != 2 || scores.size(0) != n) {
            if (needsClasses) {
                throw new TorchsightException(Kind.MODEL, model.path(), "the model's output has shape "
                        + Arrays.toString(scores.sizes().vec().get()) + "; a class target needs scores N x classes");
            }
            return;
        }
        if (scores.size(1) < 1) {
            throw new TorchsightException(Kind.MODEL, model.path(), "the model outputs " + scores.size(1)
                    + " class scores per image; a CAM needs at least one class score");
        }
        if (!scores.is_floating_point()) {
            throw new TorchsightException(Kind.MODEL, model.path(), "the model outputs " + scores.scalar_type()
                    + " class scores; a CAM needs floating-point scores computed from the input");
        }
        if (target instanceof Target.TopK t && t.k() > scores.size(1)) {
            throw new TorchsightException(Kind.TOP_K, t.k(), "top-k " + t.k() + " exceeds the model's " + scores.size(1)
                    + " classes (use 1.." + scores.size(1) + ")");
        }
    }

    private static List<List<CamTarget>> topK(Tensor scores, int k, int n) {
        T_TensorTensor_T top = scores.topk(k, 1, true, true);
        long[] idx = MapValues.longs(top.get1());
        List<List<CamTarget>> ranks = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            List<CamTarget> rank = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rank.add(CamTarget.logit((int) idx[i * k + r]));
            }
            ranks.add(rank);
        }
        return ranks;
    }

    /** A pass's maps and scores as Java values. */
    private static final class PassResult {
        final int n;
        final int height;
        final int width;
        final float[][] maps;
        final float[][] raw;
        final float[][] scores;
        final int[][] classes;
        int rawHeight;
        int rawWidth;
        int classCount;
        double[] logits;
        double[] probabilities;
        long[] top1;

        PassResult(int n, int ranks, int height, int width) {
            this.n = n;
            this.height = height;
            this.width = width;
            this.maps = new float[ranks][];
            this.raw = new float[ranks][];
            this.scores = new float[ranks][];
            this.classes = new int[ranks][];
        }

        void setScores(Tensor s) {
            if (s.dim() == 2 && s.size(0) == n && s.is_floating_point()) {
                classCount = (int) s.size(1);
                logits = MapValues.doubles(s);
                probabilities = MapValues.doubles(torch.softmax(s, 1, new ScalarTypeOptional()));
                top1 = MapValues.longs(s.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            }
        }

        void setRaw(int rank, float[] values, int h, int w) {
            raw[rank] = values;
            rawHeight = h;
            rawWidth = w;
        }

        void setRank(int rank, List<CamTarget> targets, float[] targetScores, float[] map) {
            maps[rank] = map;
            scores[rank] = targetScores;
            classes[rank] = targets.stream().mapToInt(CamTarget::classIndex).toArray();
        }

        void unflipMaps() {
            for (float[] m : maps) {
                for (int i = 0; i < n; i++) {
                    for (int y = 0; y < height; y++) {
                        int row = (i * height + y) * width;
                        for (int x = 0; x < width / 2; x++) {
                            float t = m[row + x];
                            m[row + x] = m[row + width - 1 - x];
                            m[row + width - 1 - x] = t;
                        }
                    }
                }
            }
        }

        List<CamResult> results() {
            List<CamResult> out = new ArrayList<>();
            int hw = height * width;
            int rhw = rawHeight * rawWidth;
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < maps.length; r++) {
                    int cls = classes[r][i];
                    boolean known = logits != null && cls >= 0 && cls < classCount;
                    out.add(new CamResult(i, r, cls, scores[r][i],
                            known ? probabilities[i * classCount + cls] : Double.NaN,
                            top1 == null ? -1 : (int) top1[i],
                            Arrays.copyOfRange(raw[r], i * rhw, (i + 1) * rhw), rawHeight, rawWidth,
                            Arrays.copyOfRange(maps[r], i * hw, (i + 1) * hw), height, width));
                }
            }
            return out;
        }
    }

    /** Builder: {@code set...} for what a CAM is made of, {@code opt...} for options. */
    public static final class Builder {
        private final Model model;
        private CamMethod method = new GradCam();
        private List<String> layers = List.of("layer4");
        private Reshape reshape;
        private boolean eigenSmooth;
        private boolean augSmooth;
        private int camBatch = 32;
        private LayerValues layerValues = LayerValues.FINAL;

        private Builder(Model model) {
            this.model = model;
        }

        /** The method (default: Grad-CAM). */
        public Builder setMethod(CamMethod method) {
            this.method = method;
            return this;
        }

        /** The method by name (see {@link CamMethods#names()}). */
        public Builder setMethod(String name) {
            this.method = CamMethods.byName(name);
            return this;
        }

        /** One or more layers (dotted submodule paths); several layers' maps are averaged. */
        public Builder setLayers(String... layers) {
            if (layers.length == 0) {
                throw new TorchsightException(Kind.LAYER, null, "a CAM needs at least one layer");
            }
            this.layers = List.of(layers);
            return this;
        }

        /** Tokens to a grid, for transformer layers. */
        public Builder optReshape(Reshape reshape) {
            this.reshape = reshape;
            return this;
        }

        /** Maps as the first principal component of the weighted activations. */
        public Builder optEigenSmooth(boolean on) {
            this.eigenSmooth = on;
            return this;
        }

        /** Test-time augmentation: horizontal flip x brightness 0.9, 1, 1.1; maps averaged. */
        public Builder optAugSmooth(boolean on) {
            this.augSmooth = on;
            return this;
        }

        /** Inputs per extra forward pass of Score-CAM and Ablation-CAM (default 32). */
        public Builder optCamBatch(int rows) {
            if (rows < 1) {
                throw new TorchsightException(Kind.BATCH_SIZE, rows, "the CAM batch must be at least 1, got " + rows);
            }
            this.camBatch = rows;
            return this;
        }

        /** Which layer values the maps are made of (default {@link LayerValues#FINAL}). */
        public Builder optLayerValues(LayerValues values) {
            this.layerValues = values;
            return this;
        }

        /**
         * Taps the layers (once; reused by every call).
         *
         * @throws TorchsightException of kind {@link Kind#LAYER} when a layer does not exist or cannot be tapped
         */
        public Cam build() {
            return new Cam(this);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s at %s", method.name(), layer());
    }
}
