package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Device;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.Dataset;
import dev.torchsight.model.FeatureExtractor;
import dev.torchsight.model.Model;
import me.tongfei.progressbar.ProgressBar;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import dev.torchsight.io.Labels;
import dev.torchsight.render.EmbeddingWriter;
import dev.torchsight.render.ScatterPlot;
import dev.torchsight.tsne.Embedding;
import dev.torchsight.tsne.Tsne;
import dev.torchsight.tsne.TsneMethod;
import dev.torchsight.tsne.TsneProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code torchsight tsne}: embed vectors (or images) in 2-D and plot them. */
@Command(name = "tsne", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Embed vectors, images, or a model's features at any layer in 2-D with t-SNE and draw",
            "a scatter plot coloured by label. Without a data option it runs on the first 2,000 embedded",
            "Fashion-MNIST test images."})
final class TsneCommand implements Callable<Integer> {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Rows used from the embedded data when the user names no input. */
    static final int DEFAULT_EMBEDDED_ROWS = 2000;

    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Vectors, one row per sample: .npy (float32/float64), .csv, or IDX images (.idx, -ubyte, optionally .gz).")
    Path input;

    @Option(names = "--images", paramLabel = "DIR",
            description = "An image folder, one sub-folder per class (torchvision's ImageFolder); labels come from the folders.")
    Path images;

    @Option(names = "--idx", paramLabel = "FILE",
            description = "IDX images (MNIST format, optionally .gz); labels from --labels or the matching *-labels-idx1-ubyte file.")
    Path idx;

    @Option(names = "--model", paramLabel = "MODEL.pt", description = "Embed this TorchScript model's features at --layer instead of pixels.")
    Path model;

    @Option(names = "--layer", defaultValue = "layer4", description = "Layer whose output is embedded with --model (default: ${DEFAULT-VALUE}).")
    String layer;

    @Mixin
    PreprocessingOptions imageOptions = new PreprocessingOptions();

    @Option(names = "--pool", defaultValue = "0", paramLabel = "P",
            description = "Average-pool each feature map to P x P before flattening, 0 to " + Checks.MAX_POOL
                    + " (0 = flatten it whole, the default).")
    int pool;

    @Option(names = "--batch-size", defaultValue = "64", description = "Images per forward pass, 1 to " + Checks.MAX_BATCH + " (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "One label per row: .npy (integers), IDX labels, or text (one per line).")
    Path labels;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N rows.")
    Integer limit;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "tsne.png",
            description = "Plot file, .png or .svg (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--embedding-out", paramLabel = "FILE", description = "Also write the coordinates as .csv or .json.")
    Path embeddingOut;

    @Option(names = "--perplexity", defaultValue = "30", description = "Effective neighbours, at least 1 and at most (rows - 2) / 3 (default: ${DEFAULT-VALUE}).")
    double perplexity;

    @Option(names = "--iterations", defaultValue = "1000", description = "Optimisation iterations, 1 to " + Checks.MAX_ITERATIONS + " (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--method", defaultValue = "auto",
            description = "exact, barnes-hut or auto (exact up to " + TsneMethod.AUTO_EXACT_MAX_POINTS
                    + " points; default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--theta", defaultValue = "0.5", description = "Barnes-Hut accuracy in [0, 2), 0 = exact (default: ${DEFAULT-VALUE}).")
    double theta;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Threads, 1 to " + Checks.MAX_THREADS + " (default: the machine's cores).")
    Integer threads;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = {"cpu, cuda or auto (default: ${DEFAULT-VALUE}). cuda runs the optimisation on torchsight's",
                "CUDA kernels and --model on libtorch's GPU build; when either cannot, it says why and uses the CPU.",
                "auto uses each GPU path that is available, silently."})
    String device;

    @Option(names = "--no-pca", description = "Do not reduce to 50 dimensions with PCA first.")
    boolean noPca;

    @Option(names = "--init", defaultValue = "pca", description = "Initialisation: pca or random (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--dpi", defaultValue = "150", description = "PNG resolution, " + ScatterPlot.MIN_DPI + " to " + ScatterPlot.MAX_DPI + " (default: ${DEFAULT-VALUE}).")
    int dpi;

    @Option(names = "--title", description = "Plot title (default: the input's name).")
    String title;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() {
        validate();
        if (threads != null) {
            Threads.configure(threads);  // libtorch's stages (kNN, PCA, a model's forward) as asked
        }
        return embed();
    }

    /** Checks every option and output location before any file is read. */
    private void validate() {
        int sources = (input == null ? 0 : 1) + (images == null ? 0 : 1) + (idx == null ? 0 : 1);
        if (sources > 1) {
            throw new TorchsightException("give only one of --input, --images and --idx");
        }
        if (model != null && input != null) {
            throw new TorchsightException("--model needs images, not feature vectors; use --images DIR or --idx FILE with --model");
        }
        if (images != null && labels != null) {
            throw new TorchsightException(Kind.LABELS, labels, "--labels does not apply to --images: an image folder's "
                    + "labels are its sub-folder names; drop --labels or give vectors with --input");
        }
        if (idx != null && dev.torchsight.io.DataFormat.detect(idx) != dev.torchsight.io.DataFormat.IDX) {
            throw new TorchsightException(Kind.INPUT, idx, "--idx " + idx.getFileName() + " is not an IDX file "
                    + "(name ending in -ubyte, .idx or .idx1-.idx9, optionally .gz); give other vector files with --input");
        }
        if (limit != null) {
            Checks.atLeast(Kind.LIMIT, "--limit", limit, 1);
        }
        Checks.batchSize(batchSize);
        Checks.range(Kind.POOL, "--pool", pool, 0, Checks.MAX_POOL);
        Checks.range(Kind.PERPLEXITY, "--perplexity", perplexity, 1, 1e6);
        Checks.range(Kind.ITERATIONS, "--iterations", iterations, 1, Checks.MAX_ITERATIONS);
        if (!(theta >= 0 && theta < 2)) {
            throw new TorchsightException(Kind.THETA, theta, "--theta must be at least 0 and below 2, got " + Checks.fmt(theta));
        }
        Checks.threads(threads);
        imageOptions.validate();
        if (images != null) {
            Checks.inputMemory(model == null ? 1 : batchSize, 3, imageOptions.size, "use a smaller --size or --batch-size");
        }
        ScatterPlot.requireDpi(dpi);
        parseDeviceChoice();
        TsneMethod tsneMethod = TsneMethod.parse(method);
        dev.torchsight.tsne.TsneInit tsneInit = parseInit(init);
        Checks.outputFile(out, "--out", ".png", ".svg");
        if (embeddingOut != null) {
            Checks.outputFile(embeddingOut, "--embedding-out", ".csv", ".json");
            Checks.distinct(out, "--out", embeddingOut, "--embedding-out");
        }
        Tsne.Builder builder = Tsne.builder().optPerplexity(perplexity).optIterations(iterations)
                .optMethod(tsneMethod).optTheta(theta).optSeed(seed)
                .optInit(tsneInit).optPcaDimensions(noPca ? 0 : 50);
        if (threads != null) {
            builder.optThreads(threads);
        }
        builder.build();  // the library's own checks, too
    }

    /** Reads the chosen data set, runs the model over it when asked (in batches), then embeds. */
    private Integer embed() {
        Path file = idx != null ? idx : input;
        boolean embedded = images == null && file == null;
        Integer rowsToUse = embedded && limit == null ? Integer.valueOf(DEFAULT_EMBEDDED_ROWS) : limit;
        Dataset inputs = images != null
                ? Dataset.imageFolder(images, imageOptions.preprocessing(), rowsToUse)
                : Dataset.pixels(file, labels, rowsToUse);
        Labels rowLabels = inputs.labels();
        // Too few rows for the perplexity is known now: say so before extracting features.
        double largest = Tsne.largestPerplexity(inputs.size());
        if (largest < 1) {
            throw new TorchsightException(Kind.INPUT, inputs.size(), "t-SNE needs at least 5 rows, got " + inputs.size());
        }
        if (perplexity > largest) {
            throw new TorchsightException(Kind.PERPLEXITY, perplexity, String.format(Locale.ROOT,
                    "perplexity %s is too large for %d rows (it needs 3*perplexity+2 rows); use --perplexity %s or less, "
                            + "or give more rows", Checks.fmt(perplexity), inputs.size(),
                    Checks.fmt(Math.floor(largest * 100) / 100)));
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor rows;
            String name;
            if (model == null) {
                rows = inputs.flattenedPixels(batchSize);
                name = embedded ? "Fashion-MNIST test images" : input != null ? input.getFileName().toString() : "dataset";
            } else {
                try (Model m = Model.builder().setPath(model).optDevice(modelDevice()).build();
                     ProgressBar bar = Terminal.showProgress(quiet) ? ProgressBars.create("features", inputs.size(), " img") : null) {
                    rows = FeatureExtractor.extract(m, layer, inputs.size(), batchSize, pool, inputs::batch, done -> {
                        if (bar != null) {
                            bar.stepTo(done);
                        }
                    });
                }
                name = layer + " feature map";
            }
            return embedAndSave(rows, rowLabels, title == null ? name : title);
        }
    }

    private Integer embedAndSave(Tensor rows, Labels rowLabels, String plotTitle) {
        if (rowLabels != null) {
            rowLabels.requireCount((int) rows.size(0), "labels");
        }
        Tsne.Builder builder = Tsne.builder().optPerplexity(perplexity).optIterations(iterations)
                .optMethod(TsneMethod.parse(method)).optTheta(theta).optSeed(seed)
                .optInit(parseInit(init)).optPcaDimensions(noPca ? 0 : 50).optDevice(tsneDevice());
        if (threads != null) {
            builder.optThreads(threads);
        }
        Tsne tsne = builder.build();
        Embedding embedding;
        if (!Terminal.showProgress(quiet)) {
            embedding = tsne.fit(rows, TsneProgress.NONE);
        } else {
            try (TsneProgressBar bar = new TsneProgressBar("t-SNE", iterations)) {
                embedding = tsne.fit(rows, bar);
            }
        }
        // Both outputs are written to temporary files first and appear together, or neither does.
        try (AtomicFiles.Transaction files = new AtomicFiles.Transaction()) {
            ScatterPlot.of(embedding, rowLabels).setTitle(plotTitle).optDpi(dpi).save(out, files);
            if (embeddingOut != null) {
                EmbeddingWriter.write(embedding, rowLabels, embeddingOut, files);
            }
            files.commit();
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "t-SNE of %d points (%s on %s): KL %.4f after %d iterations in %.1f s -> %s%s%n",
                embedding.size(), embedding.method().cliName(), embedding.backend(), embedding.klDivergence(),
                embedding.iterations(),
                embedding.elapsedSeconds(), out, embeddingOut == null ? "" : ", " + embeddingOut);
        stdout.flush();
        return 0;
    }

    /** The t-SNE device: CUDA where torchsight's kernels can run; an explicit cuda says why when they cannot. */
    private Device tsneDevice() {
        String choice = parseDeviceChoice();
        if (choice.equals("cpu")) {
            return Device.CPU;
        }
        String reason = Tsne.cudaUnavailableReason();
        if (reason == null) {
            return Device.CUDA;
        }
        if (choice.equals("cuda")) {
            spec.commandLine().getErr().println("notice: t-SNE runs on the CPU: " + reason);
        }
        return Device.CPU;
    }

    /** The model's device: CUDA only when libtorch (a CUDA build) sees a GPU. */
    private Device modelDevice() {
        String choice = parseDeviceChoice();
        if (choice.equals("cuda") && !Device.torchCudaAvailable()) {
            spec.commandLine().getErr().println("notice: --model runs on the CPU: libtorch sees no usable GPU "
                    + "(the default build is CPU-only; see README 'GPU')");
            return Device.CPU;
        }
        return Device.parse(choice);
    }

    private String parseDeviceChoice() {
        String choice = device.toLowerCase(Locale.ROOT);
        if (!choice.equals("cpu") && !choice.equals("cuda") && !choice.equals("auto")) {
            throw new TorchsightException("unknown --device '" + device + "'; use cpu, cuda or auto");
        }
        return choice;
    }

    private static dev.torchsight.tsne.TsneInit parseInit(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "pca" -> dev.torchsight.tsne.TsneInit.PCA;
            case "random" -> dev.torchsight.tsne.TsneInit.RANDOM;
            default -> throw new TorchsightException("unknown --init '" + text + "'; use pca or random");
        };
    }
}
