package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Cam;
import dev.torchsight.cam.GradCam;
import dev.torchsight.cam.Target;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.EmbeddedData;
import dev.torchsight.io.FloatMatrix;
import dev.torchsight.io.Labels;
import dev.torchsight.model.FeatureExtractor;
import dev.torchsight.model.Model;
import dev.torchsight.model.SmallCnn;
import dev.torchsight.model.Trainer;
import dev.torchsight.render.DemoPage;
import dev.torchsight.render.ImageGrid;
import dev.torchsight.render.ScatterPlot;
import dev.torchsight.tsne.Embedding;
import dev.torchsight.tsne.NeighborAccuracy;
import dev.torchsight.tsne.Tsne;
import dev.torchsight.tsne.TsneProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code torchsight demo}: the article's story on the embedded Fashion-MNIST test set — t-SNE of raw
 * pixels; a small CNN built from Java as TorchScript, trained in-process; t-SNE of its hidden
 * layer's features (the ones the classifier reads) before and after training; Grad-CAM of validation
 * images; an HTML page.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole story on the embedded Fashion-MNIST test images: t-SNE of pixels, a CNN",
            "trained here, t-SNE of its features before and after training, Grad-CAM, and an HTML page."})
final class DemoCommand implements Callable<Integer> {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Fashion-MNIST's pixel statistics, applied inside the network. */
    static final double MEAN = 0.2860;
    static final double STD = 0.3530;
    /**
     * The embedded layer: 32 ReLU units between the flattened conv3 map and fc. Untrained, they are
     * a random projection of random features and lose much of what separates the classes (10-NN
     * accuracy in t-SNE about 0.65, below raw pixels' 0.76); trained, they are the features fc reads
     * (about 0.87). A gap of about 0.2 on every seed and thread count, where conv3's own 3136-wide
     * map gave 0.77 -> 0.82, a gap smaller than its spread across machines.
     */
    static final String LAYER = "hidden";
    static final int HIDDEN = 32;
    private static final String WHAT = "Features of the " + HIDDEN + "-unit hidden layer";
    /** Grad-CAM layer: conv2's 14x14 maps localise better than conv3's once fc reads a flattened map. */
    static final String CAM_LAYER = System.getProperty("torchsight.demo.camLayer", "conv2");

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "torchsight-demo", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--limit", defaultValue = "10000", paramLabel = "N",
            description = "Use the first N embedded images: 80 %% train, 20 %% validation (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--epochs", defaultValue = "8", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for weights, shuffling and t-SNE (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quiet", description = "No progress bars (they are drawn only when stderr is a terminal).")
    boolean quiet;

    @Override
    public Integer call() {
        if (limit < 100 || limit > 10_000) {
            throw new TorchsightException("--limit must be between 100 and 10000, got " + limit);
        }
        if (epochs < 1) {
            throw new TorchsightException("--epochs must be at least 1, got " + epochs);
        }
        PrintWriter log = spec.commandLine().getOut();
        long start = System.nanoTime();
        FloatMatrix pixels = EmbeddedData.fashionMnistImages(limit);
        Labels labels = EmbeddedData.fashionMnistLabels(limit);
        int train = limit * 8 / 10;
        int val = limit - train;
        DemoPage page = new DemoPage("torchsight demo: what a small CNN sees in Fashion-MNIST");
        try (PointerScope scope = new PointerScope()) {
            Tensor all = Tensor.create(pixels.values(), limit, 1, 28, 28);
            long[] ids = new long[limit];
            for (int i = 0; i < limit; i++) {
                ids[i] = labels.codes()[i];
            }
            Tensor targets = Tensor.create(ids, limit);
            Tensor trainX = all.narrow(0, 0, train);
            Tensor trainY = targets.narrow(0, 0, train);
            Tensor valX = all.narrow(0, train, val).contiguous();
            Tensor valY = targets.narrow(0, train, val);
            Labels valLabels = new Labels(java.util.Arrays.copyOfRange(labels.codes(), train, limit), labels.classNames());

            log.printf("1/5 t-SNE of the %d validation images' raw pixels%n", val);
            Embedding raw = embed(valX.reshape(val, -1), "pixels");
            plot(raw, valLabels, "dataset", "tsne-dataset.png");
            double accPixels = NeighborAccuracy.of(raw, valLabels.codes(), 10);
            page.add("tsne-dataset.png", caption("Raw pixels (dataset)", raw, accPixels));

            JitModule net = SmallCnn.build(1, 28, new int[] {16, 32, 64}, HIDDEN, 10, seed, MEAN, STD);
            Path untrainedFile = out.resolve("model-untrained.pt");
            net.eval();
            save(net, untrainedFile);
            log.printf("2/5 t-SNE of the untrained network's %s features%n", LAYER);
            Embedding before;
            try (Model untrained = Model.load(untrainedFile)) {
                before = embed(features(untrained, valX, val), LAYER + " (untrained)");
            }
            plot(before, valLabels, "hidden layer, untrained", "tsne-untrained.png");
            double accBefore = NeighborAccuracy.of(before, valLabels.codes(), 10);
            page.add("tsne-untrained.png", caption(WHAT + " of the untrained network", before, accBefore));

            log.printf("3/5 training on %d images for %d epoch(s)%n", train, epochs);
            long t0 = System.nanoTime();
            Trainer.fit(net, trainX, trainY, epochs, 64, 2e-3, seed,
                    epoch -> log.printf("    epoch %d: validation accuracy %.3f%n", epoch, Trainer.accuracy(net, valX, valY, 500)));
            double accuracy = Trainer.accuracy(net, valX, valY, 500);
            log.printf(Locale.ROOT, "    trained in %.0f s: validation accuracy %.3f on %d images%n",
                    (System.nanoTime() - t0) / 1e9, accuracy, val);
            Path modelFile = out.resolve("model.pt");
            save(net, modelFile);

            log.printf("4/5 t-SNE of the trained network's %s features%n", LAYER);
            Embedding after;
            List<CamResult> maps;
            try (Model trained = Model.load(modelFile)) {
                after = embed(features(trained, valX, val), LAYER + " (trained)");
                log.printf("5/5 Grad-CAM at %s for 16 validation images%n", CAM_LAYER);
                maps = GradCam.at(trained, CAM_LAYER).explain(valX.narrow(0, 0, 16).contiguous(), Target.topClass());
            }
            plot(after, valLabels, "hidden layer, trained", "tsne-trained.png");
            double accAfter = NeighborAccuracy.of(after, valLabels.codes(), 10);
            page.add("tsne-trained.png", caption(WHAT + " of the trained network", after, accAfter));
            ImageGrid.gradCam(maps, pixels, train, valLabels, 4, 112, out.resolve("gradcam-grid.png"));
            page.add("gradcam-grid.png", String.format(Locale.ROOT,
                    "Grad-CAM at %s of the trained network, with predicted (green when right) and true labels", CAM_LAYER));
            page.addText(String.format(Locale.ROOT, "Validation accuracy %.3f. 10-NN accuracy in the t-SNE maps: "
                    + "pixels %.3f, untrained features %.3f, trained features %.3f.", accuracy,
                    accPixels, accBefore, accAfter));
            page.addLink("model.pt", "the trained model (TorchScript): torchsight gradcam --model model.pt --layer "
                    + CAM_LAYER + " --size 28 --mean 0,0,0 --std 1,1,1 --image IMAGES");
            page.write(out.resolve("index.html"));
            log.printf(Locale.ROOT, "validation accuracy %.3f; 10-NN accuracy in t-SNE: untrained %.3f -> trained %.3f%n",
                    accuracy, accBefore, accAfter);
        }
        log.printf(Locale.ROOT, "done in %.0f s: open %s%n", (System.nanoTime() - start) / 1e9,
                out.resolve("index.html").toAbsolutePath());
        log.flush();
        return 0;
    }

    private Tensor features(Model model, Tensor images, int n) {
        return FeatureExtractor.extract(model, LAYER, n, 500, 0, (s, c) -> images.narrow(0, s, c), done -> { });
    }

    private Embedding embed(Tensor rows, String what) {
        // Small --limit runs: keep the perplexity valid for the number of validation images.
        double perplexity = Math.min(30, Math.floor(Tsne.largestPerplexity(rows.size(0))));
        Tsne tsne = Tsne.builder().optSeed(seed).optPerplexity(perplexity).build();
        if (!Terminal.showProgress(quiet)) {  // bars only on a terminal, as every command
            return tsne.fit(rows, TsneProgress.NONE);
        }
        try (TsneProgressBar bar = new TsneProgressBar("t-SNE " + what, 1000)) {
            return tsne.fit(rows, bar);
        }
    }

    private void plot(Embedding e, Labels labels, String title, String file) {
        ScatterPlot.of(e, labels).setTitle(title).optDpi(100).save(out.resolve(file));
    }

    private static String caption(String what, Embedding e, double neighborAccuracy) {
        return String.format(Locale.ROOT, "%s: t-SNE of %d validation images in %.1f s, 10-NN accuracy %.3f",
                what, e.size(), e.elapsedSeconds(), neighborAccuracy);
    }

    private static void save(JitModule net, Path file) {
        dev.torchsight.io.AtomicFiles.write(file, tmp -> net.save(tmp.toString()));
    }
}
