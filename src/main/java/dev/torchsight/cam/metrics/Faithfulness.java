package dev.torchsight.cam.metrics;

import dev.torchsight.cam.Cam;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.CamTarget;
import dev.torchsight.cam.Target;
import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.Tensor;

/**
 * Faithfulness metrics for class-activation maps: how well a map points at what the model uses. Each
 * metric perturbs the images according to the maps and watches the target's score, with
 * pytorch-grad-cam's definitions where it has them:
 * <ul>
 *   <li>{@link #deletionInsertion}: RISE's deletion and insertion curves and their areas;</li>
 *   <li>{@link #road}: ROAD's most- and least-relevant-first removal with noisy linear imputation,
 *       averaged over percentiles, and their combination;</li>
 *   <li>{@link #confidenceChange}: the score change when the image is multiplied by its map;</li>
 *   <li>{@link #modelRandomisation}: whether maps change when the model's weights are randomised.</li>
 * </ul>
 *
 * <pre>{@code
 * List<CamResult> maps = cam.explain(batch, Target.topClass());
 * Faithfulness metrics = Faithfulness.builder(model).optSteps(32).build();
 * List<DeletionInsertion> curves = metrics.deletionInsertion(batch, maps);
 * List<RoadScore> road = metrics.road(batch, maps);
 * }</pre>
 *
 * <p><b>Inputs.</b> {@code batch} is the preprocessed N x C x H x W batch the maps explain (only read);
 * perturbations happen in its units (for a normalised input, 0 is the mean colour). Maps come as
 * {@link CamResult}s (each names its image, and may be one of several ranks per image) or as one
 * {@code H x W} row-major array per image, values in [0, 1] (larger is more relevant). Targets are
 * scoring functions, one per map; given only results, each map's target is the softmax probability of
 * its {@link CamResult#classIndex()} (pytorch-grad-cam's ClassifierOutputSoftmaxTarget).
 *
 * <p><b>Cost.</b> Perturbed images go through the model {@link Builder#optBatchSize} at a time without
 * gradients: deletion/insertion takes 2 x (steps + 1) images per map, ROAD 2 x percentiles + 1 (and
 * one sparse solve per percentile and order, run on parallel threads), the confidence change 2.
 * Random draws (ROAD's noise, randomised weights) come from generators of their own, seeded from
 * {@link Builder#optSeed} and the map's image and rank, so results do not depend on the batch's other
 * images and torch's global generator is untouched. Every native object a call makes is freed before
 * it returns; results are plain Java values.
 */
public final class Faithfulness {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final Model model;
    private final int steps;
    private final int batchSize;
    private final int[] percentiles;
    private final long seed;
    private final double noise;
    private final Baseline baseline;
    private final int randomisedModules;
    private final Integer outputIndex;

    private Faithfulness(Builder b) {
        this.model = b.model;
        this.steps = b.steps;
        this.batchSize = b.batchSize;
        this.percentiles = b.percentiles.clone();
        this.seed = b.seed;
        this.noise = b.noise;
        this.baseline = b.baseline;
        this.randomisedModules = b.randomisedModules;
        this.outputIndex = b.outputIndex;
    }

    /** A builder for metrics of {@code model}'s maps. */
    public static Builder builder(Model model) {
        return new Builder(model);
    }

    /** Metrics with the default options. */
    public static Faithfulness of(Model model) {
        return builder(model).build();
    }

    /** The model whose maps are measured. */
    public Model model() {
        return model;
    }

    // ---------------------------------------------------------------- deletion and insertion

    /** {@link #deletionInsertion(Tensor, List, List)} with each map's class probability as its target. */
    public List<DeletionInsertion> deletionInsertion(Tensor batch, List<CamResult> maps) {
        return measureCurves(batch, Explained.of(batch, maps, null));
    }

    /**
     * Deletion and insertion curves (RISE), one per map. Pixels are ordered by the map, most relevant
     * first (equal values in pixel order); at step k of {@link Builder#optSteps steps}, the first
     * round(k / steps x H x W) of them are replaced by the {@link Builder#optBaseline baseline} (deletion)
     * or copied from the image onto the baseline (insertion), in every channel. The curves hold the
     * target's softmax probability when the target is one class of an N x classes output (whatever
     * function scores it), else the target's score; the areas are trapezoid sums over [0, 1].
     *
     * @param targets one scoring function per map, in the order of {@code maps}
     * @throws TorchsightException of kind {@link Kind#INPUT} when the batch, maps and targets do not fit
     *         together, {@link Kind#MODEL} when the model fails on the perturbed images
     */
    public List<DeletionInsertion> deletionInsertion(Tensor batch, List<CamResult> maps,
                                                     List<? extends CamTarget> targets) {
        return measureCurves(batch, Explained.of(batch, maps, targets));
    }

    /** As {@link #deletionInsertion(Tensor, List, List)}, for one {@code H x W} map per image. */
    public List<DeletionInsertion> deletionInsertion(Tensor batch, float[][] maps, List<? extends CamTarget> targets) {
        return measureCurves(batch, Explained.of(batch, maps, targets));
    }

    private List<DeletionInsertion> measureCurves(Tensor batch, List<Explained> items) {
        Scoring scoring = new Scoring(model, batchSize, batch);
        int c = (int) batch.size(1);
        int hw = (int) (batch.size(2) * batch.size(3));
        double[] fractions = new double[steps + 1];
        int[] counts = new int[steps + 1];
        for (int k = 0; k <= steps; k++) {
            fractions[k] = (double) k / steps;
            counts[k] = (int) Math.round((double) k * hw / steps);
        }
        List<DeletionInsertion> out = new ArrayList<>();
        for (Explained item : items) {
            float[] image = Scoring.image(batch, item.image());
            float[] base = baseline.of(image, c, (int) batch.size(2), (int) batch.size(3));
            int[] order = MapRanking.descending(item.map());
            double[] scores = scoring.scores(2 * (steps + 1), k -> {
                boolean deleting = k <= steps;
                int changed = counts[deleting ? k : k - steps - 1];
                float[] from = deleting ? base : image;
                float[] result = (deleting ? image : base).clone();
                for (int t = 0; t < changed; t++) {
                    int p = order[t];
                    for (int ch = 0; ch < c; ch++) {
                        result[ch * hw + p] = from[ch * hw + p];
                    }
                }
                return result;
            }, k -> item.target(), true);
            double[] deletion = Arrays.copyOfRange(scores, 0, steps + 1);
            double[] insertion = Arrays.copyOfRange(scores, steps + 1, 2 * (steps + 1));
            out.add(new DeletionInsertion(item.image(), item.classIndex(), fractions.clone(), deletion, insertion,
                    Auc.trapezoid(deletion), Auc.trapezoid(insertion)));
        }
        return out;
    }

    // ---------------------------------------------------------------- ROAD

    /** {@link #road(Tensor, List, List)} with each map's class probability as its target. */
    public List<RoadScore> road(Tensor batch, List<CamResult> maps) {
        return measureRoad(batch, Explained.of(batch, maps, null));
    }

    /**
     * ROAD (pytorch-grad-cam's ROADMostRelevantFirstAverage, ROADLeastRelevantFirstAverage and
     * ROADCombined in one pass), one per map. At each {@link Builder#optPercentiles percentile} p, the
     * pixels whose map value is at least the map's p-th percentile (numpy's linear interpolation) are
     * removed (most relevant first), and separately those whose {@code 1 - map} is at least its p-th
     * percentile (least relevant first); removed pixels are filled by {@link NoisyLinearImputer} with
     * {@link Builder#optNoise noise}. Each value is the target's score on the imputed image minus its
     * score on the image (the target's own score: pass {@code CamTarget.probability(c)} for probabilities).
     *
     * @param targets one scoring function per map, in the order of {@code maps}
     * @throws TorchsightException of kind {@link Kind#INPUT} when the batch, maps and targets do not fit
     *         together, {@link Kind#MODEL} when the model fails on the imputed images
     */
    public List<RoadScore> road(Tensor batch, List<CamResult> maps, List<? extends CamTarget> targets) {
        return measureRoad(batch, Explained.of(batch, maps, targets));
    }

    /** As {@link #road(Tensor, List, List)}, for one {@code H x W} map per image. */
    public List<RoadScore> road(Tensor batch, float[][] maps, List<? extends CamTarget> targets) {
        return measureRoad(batch, Explained.of(batch, maps, targets));
    }

    private List<RoadScore> measureRoad(Tensor batch, List<Explained> items) {
        Scoring scoring = new Scoring(model, batchSize, batch);
        int c = (int) batch.size(1);
        int h = (int) batch.size(2);
        int w = (int) batch.size(3);
        int count = percentiles.length;
        NoisyLinearImputer imputer = new NoisyLinearImputer(noise);
        List<RoadScore> out = new ArrayList<>();
        for (Explained item : items) {
            float[] image = Scoring.image(batch, item.image());
            float[] inverse = MapRanking.inverse(item.map());
            // Job j < count removes the most relevant pixels at percentile j, job count + j the least relevant.
            float[][] imputed = IntStream.range(0, 2 * count).parallel().mapToObj(j -> {
                boolean[] known = MapRanking.keptBelowPercentile(j < count ? item.map() : inverse, percentiles[j % count]);
                return imputer.impute(image, c, h, w, known, new SplittableRandom(seedOf(item, j)));
            }).toArray(float[][]::new);
            double[] scores = scoring.scores(2 * count + 1, k -> k == 0 ? image : imputed[k - 1], k -> item.target(),
                    false);
            double[] morf = new double[count];
            double[] lerf = new double[count];
            for (int j = 0; j < count; j++) {
                morf[j] = scores[1 + j] - scores[0];
                lerf[j] = scores[1 + count + j] - scores[0];
            }
            out.add(new RoadScore(item.image(), item.classIndex(), percentiles.clone(), morf, lerf));
        }
        return out;
    }

    /** A seed for one map's job: the options' seed mixed with the image, the rank and the job. */
    private long seedOf(Explained item, int job) {
        long s = mix(seed ^ 0x243F6A8885A308D3L);
        s = mix(s + item.image());
        s = mix(s + item.rank());
        return mix(s + job);
    }

    private static long mix(long z) {   // splitmix64's finaliser
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---------------------------------------------------------------- image times map

    /** {@link #confidenceChange(Tensor, List, List)} with each map's class probability as its target. */
    public List<ConfidenceChange> confidenceChange(Tensor batch, List<CamResult> maps) {
        return measureChange(batch, Explained.of(batch, maps, null));
    }

    /**
     * The target's score on each image and on the image times its map (every channel multiplied by the
     * map), as pytorch-grad-cam's CamMultImageConfidenceChange; see {@link ConfidenceChange} for the drop
     * and increase derived from them.
     *
     * @param targets one scoring function per map, in the order of {@code maps}
     * @throws TorchsightException of kind {@link Kind#INPUT} when the batch, maps and targets do not fit
     *         together, {@link Kind#MODEL} when the model fails
     */
    public List<ConfidenceChange> confidenceChange(Tensor batch, List<CamResult> maps,
                                                   List<? extends CamTarget> targets) {
        return measureChange(batch, Explained.of(batch, maps, targets));
    }

    /** As {@link #confidenceChange(Tensor, List, List)}, for one {@code H x W} map per image. */
    public List<ConfidenceChange> confidenceChange(Tensor batch, float[][] maps, List<? extends CamTarget> targets) {
        return measureChange(batch, Explained.of(batch, maps, targets));
    }

    private List<ConfidenceChange> measureChange(Tensor batch, List<Explained> items) {
        Scoring scoring = new Scoring(model, batchSize, batch);
        int c = (int) batch.size(1);
        double[] scores = scoring.scores(2 * items.size(), k -> {
            Explained item = items.get(k / 2);
            float[] image = Scoring.image(batch, item.image());
            if (k % 2 == 1) {
                float[] map = item.map();
                for (int ch = 0; ch < c; ch++) {
                    for (int p = 0; p < map.length; p++) {
                        image[ch * map.length + p] *= map[p];
                    }
                }
            }
            return image;
        }, k -> items.get(k / 2).target(), false);
        List<ConfidenceChange> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(new ConfidenceChange(items.get(i).image(), items.get(i).classIndex(), scores[2 * i], scores[2 * i + 1]));
        }
        return out;
    }

    // ---------------------------------------------------------------- model randomisation

    /**
     * {@link #modelRandomisation(Cam, Function, Tensor, Target)} with the copy's CAM made by
     * {@link Cam#on(Model)} (the same method, layers and options).
     */
    public RandomisationCheck modelRandomisation(Cam cam, Tensor batch, Target target) {
        return modelRandomisation(cam, cam::on, batch, target);
    }

    /**
     * The model-randomisation sanity check: explains the batch with {@code cam} (on its own model, which
     * is not changed), then with the same CAM on a copy of the model, reloaded from its file, whose last
     * {@link Builder#optRandomisedModules k} modules with parameters have them re-drawn at random (see
     * {@link RandomisationCheck}), and compares each pair of maps. The copy explains the same targets:
     * where {@code target} lets the model choose classes (top class, top k), the copy is given the
     * classes the model chose.
     *
     * @param camOnCopy makes the same CAM on another model (the copy)
     * @throws TorchsightException of kind {@link Kind#MODEL} when the model's file cannot be reloaded or
     *         the copy fails, {@link Kind#OUTPUT} when the copy cannot be written to the temporary folder
     */
    public RandomisationCheck modelRandomisation(Cam cam, Function<Model, Cam> camOnCopy, Tensor batch, Target target) {
        List<CamResult> original = cam.explain(batch, target);
        Path file;
        try {
            file = Files.createTempFile("torchsight-randomised-", ".pt");
        } catch (IOException e) {
            throw new TorchsightException(Kind.OUTPUT, null, "cannot create a temporary file for the randomised copy: "
                    + e.getMessage(), e);
        }
        try {
            List<String> names = ParameterRandomiser.write(cam.model().path(), file, randomisedModules, seed);
            Model.Builder load = Model.builder().setPath(file).optDevice(cam.model().device());
            if (outputIndex != null) {
                load.optOutputIndex(outputIndex);
            }
            List<MapSimilarity> similarities = new ArrayList<>();
            try (Model copy = load.build()) {
                Cam other = camOnCopy.apply(copy);
                boolean chosenByModel = target instanceof Target.TopClass || target instanceof Target.TopK;
                int ranks = target.count();
                int n = (int) batch.size(0);
                for (int r = 0; r < ranks; r++) {
                    List<CamResult> mine = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        mine.add(original.get(i * ranks + r));
                    }
                    Target same = chosenByModel
                            ? Target.perImage(mine.stream().map(m -> CamTarget.logit(m.classIndex())).toList())
                            : target;
                    List<CamResult> theirs = other.explain(batch, same);
                    for (int i = 0; i < n; i++) {
                        CamResult a = mine.get(i);
                        CamResult b = theirs.get(i * same.count() + (chosenByModel ? 0 : r));
                        similarities.add(new MapSimilarity(i, r, a.classIndex(), Similarity.spearman(a.map(), b.map()),
                                Similarity.ssim(a.map(), b.map(), a.height(), a.width())));
                    }
                }
            }
            return new RandomisationCheck(names, similarities);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---------------------------------------------------------------- options

    /** Options; every one has a default. */
    public static final class Builder {
        private final Model model;
        private int steps = 32;
        private int batchSize = 32;
        private int[] percentiles = {10, 20, 30, 40, 50, 60, 70, 80, 90};
        private long seed;
        private double noise = NoisyLinearImputer.DEFAULT_NOISE;
        private Baseline baseline = Baseline.ZERO;
        private int randomisedModules = Integer.MAX_VALUE;
        private Integer outputIndex;

        private Builder(Model model) {
            if (model == null) {
                throw new TorchsightException(Kind.MODEL, null, "faithfulness metrics need a model");
            }
            this.model = model;
        }

        /** Steps of the deletion and insertion curves (default 32: 33 points from 0 to 1). */
        public Builder optSteps(int steps) {
            if (steps < 1) {
                throw new TorchsightException(Kind.GENERAL, steps, "the curves need at least 1 step, got " + steps);
            }
            this.steps = steps;
            return this;
        }

        /** Perturbed images per forward pass (default 32). */
        public Builder optBatchSize(int batchSize) {
            if (batchSize < 1) {
                throw new TorchsightException(Kind.BATCH_SIZE, batchSize, "the batch size must be at least 1, got "
                        + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** ROAD's percentiles, each 0..100 (default 10, 20, ..., 90, as pytorch-grad-cam's averages). */
        public Builder optPercentiles(int... percentiles) {
            if (percentiles.length == 0) {
                throw new TorchsightException(Kind.GENERAL, null, "ROAD needs at least one percentile");
            }
            for (int p : percentiles) {
                if (p < 0 || p > 100) {
                    throw new TorchsightException(Kind.GENERAL, p, "a percentile must lie in 0..100, got " + p);
                }
            }
            this.percentiles = percentiles.clone();
            return this;
        }

        /** The seed of every random draw (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** ROAD's imputation noise, a standard deviation in the input's units (default 0.01; 0 for none). */
        public Builder optNoise(double noise) {
            new NoisyLinearImputer(noise);  // checks it
            this.noise = noise;
            return this;
        }

        /** What deletion puts in and insertion starts from (default {@link Baseline#ZERO}). */
        public Builder optBaseline(Baseline baseline) {
            this.baseline = java.util.Objects.requireNonNull(baseline);
            return this;
        }

        /**
         * How many modules, counted from the model's last parameters backwards, the randomisation check
         * re-draws (default: all; 0 randomises nothing, a control whose maps must equal the model's).
         */
        public Builder optRandomisedModules(int modules) {
            if (modules < 0) {
                throw new TorchsightException(Kind.GENERAL, modules, "the number of randomised modules must be 0 or "
                        + "more, got " + modules);
            }
            this.randomisedModules = modules;
            return this;
        }

        /**
         * The output index the model was loaded with, when its forward returns a tuple, list or dict: the
         * randomised copy is loaded with it.
         */
        public Builder optOutputIndex(int index) {
            this.outputIndex = index;
            return this;
        }

        /** The metrics. */
        public Faithfulness build() {
            return new Faithfulness(this);
        }
    }

    /** One map to measure: its image, rank, class, values and target. */
    record Explained(int image, int rank, int classIndex, float[] map, CamTarget target) {
        static List<Explained> of(Tensor batch, List<CamResult> maps, List<? extends CamTarget> targets) {
            requireBatch(batch);
            if (targets != null && targets.size() != maps.size()) {
                throw new TorchsightException(Kind.INPUT, null, targets.size() + " targets for " + maps.size()
                        + " maps; give one target per map");
            }
            List<Explained> out = new ArrayList<>();
            for (int k = 0; k < maps.size(); k++) {
                CamResult r = maps.get(k);
                if (r.imageIndex() < 0 || r.imageIndex() >= batch.size(0)) {
                    throw new TorchsightException(Kind.INPUT, r.imageIndex(), "a map explains image " + r.imageIndex()
                            + " of a batch of " + batch.size(0));
                }
                requireSize(batch, r.map(), r.height(), r.width());
                CamTarget target;
                if (targets != null) {
                    target = targets.get(k);
                } else if (r.classIndex() >= 0) {
                    target = CamTarget.probability(r.classIndex());
                } else {
                    throw new TorchsightException(Kind.CLASS_INDEX, r.classIndex(), "the map of image " + r.imageIndex()
                            + " explains no single class; give one target per map");
                }
                out.add(new Explained(r.imageIndex(), r.rank(), target.classIndex() >= 0 ? target.classIndex()
                        : r.classIndex(), r.map(), target));
            }
            return out;
        }

        static List<Explained> of(Tensor batch, float[][] maps, List<? extends CamTarget> targets) {
            requireBatch(batch);
            if (targets == null) {
                throw new TorchsightException(Kind.INPUT, null, "maps given as arrays need one target per image");
            }
            if (maps.length != batch.size(0) || targets.size() != maps.length) {
                throw new TorchsightException(Kind.INPUT, null, maps.length + " maps and " + targets.size()
                        + " targets for a batch of " + batch.size(0) + " images; give one map and one target per image");
            }
            List<Explained> out = new ArrayList<>();
            for (int i = 0; i < maps.length; i++) {
                requireSize(batch, maps[i], (int) batch.size(2), (int) batch.size(3));
                out.add(new Explained(i, 0, targets.get(i).classIndex(), maps[i], targets.get(i)));
            }
            return out;
        }

        private static void requireBatch(Tensor batch) {
            if (batch.dim() != 4) {
                throw new TorchsightException(Kind.INPUT_SIZE, batch.dim(), "the images must be a batch N x C x H x W, "
                        + "got " + batch.dim() + " dimensions");
            }
        }

        private static void requireSize(Tensor batch, float[] map, int height, int width) {
            if (height != batch.size(2) || width != batch.size(3) || map.length != (long) height * width) {
                throw new TorchsightException(Kind.INPUT, null, "a map of " + map.length + " values (" + height + " x "
                        + width + ") does not fit images of " + batch.size(2) + " x " + batch.size(3)
                        + "; give maps at the input's size");
            }
        }
    }
}
