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
import dev.torchsight.tsne.Affinities;
import dev.torchsight.tsne.Embedding;
import dev.torchsight.tsne.Metric;
import dev.torchsight.tsne.NeighborMethod;
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

    @Option(names = "--perplexity", defaultValue = "30", split = ",", paramLabel = "P[,P...]",
            description = {"Effective neighbours, at least 1 and at most (rows - 2) / 3 (default: ${DEFAULT-VALUE}).",
                "Several values (e.g. 5,50) give multiscale affinities: the average of one Gaussian per perplexity."})
    double[] perplexities;

    @Option(names = "--uniform", paramLabel = "K",
            description = "Uniform affinities over each point's K nearest neighbours instead of perplexity-calibrated ones.")
    Integer uniform;

    @Option(names = "--iterations", defaultValue = "1000", description = "Optimisation iterations, 1 to " + Checks.MAX_ITERATIONS + " (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--method", defaultValue = "auto",
            description = "exact, barnes-hut, fft or auto (exact up to " + TsneMethod.AUTO_EXACT_MAX_POINTS
                    + " points, barnes-hut up to " + TsneMethod.AUTO_FFT_MIN_POINTS + ", fft above in 2-D; "
                    + "default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--neighbors", defaultValue = "auto",
            description = "exact, approx or auto: nearest neighbours by exact search or an approximate index "
                    + "(auto: approximate above a measured size; default: ${DEFAULT-VALUE}).")
    String neighbors;

    @Option(names = "--metric", defaultValue = "euclidean",
            description = "Distance between input rows: euclidean or cosine (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--dimensions", defaultValue = "2", description = "Map dimensions, 2 or 3; a 3-D map is drawn "
            + "as a fixed 2-D projection (default: ${DEFAULT-VALUE}).")
    int dimensions;

    @Option(names = "--dof", defaultValue = "1", description = "Degrees of freedom of the Student-t kernel, in "
            + "(0, 100]: 1 is standard t-SNE, below 1 gives heavier tails and more separated clusters (default: ${DEFAULT-VALUE}).")
    double dof;

    @Option(names = "--early-exaggeration", defaultValue = "12", description = "Exaggeration of P in the early "
            + "phase, in (0, 1000] (default: ${DEFAULT-VALUE}).")
    double earlyExaggeration;

    @Option(names = "--early-iterations", defaultValue = "250", description = "Iterations of the early phase, "
            + "at least 0; a longer one is cut to --iterations (default: ${DEFAULT-VALUE}).")
    int earlyIterations;

    @Option(names = "--exaggeration", defaultValue = "1", description = "Exaggeration after the early phase, in "
            + "(0, 1000] (default: ${DEFAULT-VALUE}).")
    double exaggeration;

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Learning rate (default: auto = "
            + "max(N / early exaggeration / 4, 50)).")
    Double learningRate;

    @Option(names = "--momentum", defaultValue = "0.5,0.8", split = ",", paramLabel = "EARLY,LATE",
            description = "Momentum in the early phase and after it, each in [0, 1) (default: ${DEFAULT-VALUE}).")
    double[] momentum;

    @Option(names = "--save-map", paramLabel = "FILE", description = "Also save the map with what placing new "
            + "points into it needs (the rows after PCA and the PCA basis), for --reference.")
    Path saveMap;

    @Option(names = "--reference", paramLabel = "FILE", description = "Place the rows of --input into this saved "
            + "map (written by --save-map) instead of fitting a new one; the plot shows the map in grey.")
    Path reference;

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
        if (perplexities.length == 0) {
            throw new TorchsightException(Kind.PERPLEXITY, "", "--perplexity needs a value (or several, e.g. 5,50)");
        }
        for (double perplexity : perplexities) {
            Checks.range(Kind.PERPLEXITY, "--perplexity", perplexity, 1, 1e6);
        }
        if (uniform != null) {
            Checks.range(Kind.PERPLEXITY, "--uniform", uniform, 1, 10_000);
        }
        Checks.range(Kind.OPTIMIZER, "--dimensions", dimensions, 2, 3);
        Checks.range(Kind.OPTIMIZER, "--dof", dof, 1e-3, 100);
        Checks.range(Kind.OPTIMIZER, "--early-exaggeration", earlyExaggeration, 1e-3, 1000);
        Checks.range(Kind.OPTIMIZER, "--exaggeration", exaggeration, 1e-3, 1000);
        Checks.range(Kind.OPTIMIZER, "--early-iterations", earlyIterations, 0, Checks.MAX_ITERATIONS);
        if (learningRate != null) {
            Checks.range(Kind.OPTIMIZER, "--learning-rate", learningRate, 1e-6, 1e9);
        }
        if (momentum.length != 2) {
            throw new TorchsightException(Kind.OPTIMIZER, momentum.length, "--momentum takes two values, EARLY,LATE "
                    + "(e.g. 0.5,0.8)");
        }
        for (double m : momentum) {
            Checks.range(Kind.OPTIMIZER, "--momentum", m, 0, 0.999);
        }
        if (reference != null) {
            if (input == null) {
                throw new TorchsightException(Kind.INPUT, reference, "--reference places the rows of --input into a "
                        + "saved map; give the new rows with --input FILE");
            }
            if (saveMap != null) {
                throw new TorchsightException("--reference and --save-map do not go together: a placed set of points "
                        + "is not a new map");
            }
        }
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
        TsneMethod.parse(method);
        parseInit(init);
        parseNeighbors(neighbors);
        parseMetric(metric);
        Checks.outputFile(out, "--out", ".png", ".svg");
        if (embeddingOut != null) {
            Checks.outputFile(embeddingOut, "--embedding-out", ".csv", ".json");
            Checks.distinct(out, "--out", embeddingOut, "--embedding-out");
        }
        if (saveMap != null) {
            Checks.outputFile(saveMap, "--save-map", ".tsmap");
            Checks.distinct(out, "--out", saveMap, "--save-map");
            if (embeddingOut != null) {
                Checks.distinct(embeddingOut, "--embedding-out", saveMap, "--save-map");
            }
        }
        tsneBuilder(Device.CPU).build();  // the library's own checks, too
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
        double perplexity = java.util.Arrays.stream(perplexities).max().orElse(30);
        if (reference == null && uniform == null && perplexity > largest) {
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
        if (reference != null) {
            return placeIntoMap(rows, rowLabels, plotTitle);
        }
        Tsne tsne = tsneBuilder(tsneDevice()).build();
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
            if (saveMap != null) {
                embedding.save(saveMap, files);
            }
            files.commit();
        }
        PrintWriter stdout = spec.commandLine().getOut();
        Embedding.Timings t = embedding.timings();
        stdout.printf(Locale.ROOT, "t-SNE of %d points (%s on %s): KL %.4f after %d iterations in %.1f s "
                        + "(PCA %.1f s, neighbours %.1f s, affinities %.1f s, optimisation %.1f s) -> %s%s%s%n",
                embedding.size(), embedding.method().cliName(), embedding.backend(), embedding.klDivergence(),
                embedding.iterations(), embedding.elapsedSeconds(), t.pca(), t.neighbors(), t.affinities(),
                t.optimize(), out, embeddingOut == null ? "" : ", " + embeddingOut, saveMap == null ? "" : ", " + saveMap);
        stdout.flush();
        return 0;
    }

    /** --reference: places the rows into a saved map and plots them over it. */
    private Integer placeIntoMap(Tensor rows, Labels rowLabels, String plotTitle) {
        Embedding map = Embedding.load(reference);
        if (rows.size(1) != map.inputDimensions()) {
            throw new TorchsightException(Kind.INPUT, rows.size(1), "--input rows have " + rows.size(1)
                    + " columns but the map in " + reference.getFileName() + " was fitted on " + map.inputDimensions()
                    + "; give rows of the same kind");
        }
        float[] values = new float[(int) (rows.size(0) * rows.size(1))];
        rows.to(org.bytedeco.pytorch.global.torch.ScalarType.Float).contiguous().data_ptr_float().get(values);
        Embedding placed = map.transform(new dev.torchsight.io.FloatMatrix((int) rows.size(0), (int) rows.size(1),
                values));
        try (AtomicFiles.Transaction files = new AtomicFiles.Transaction()) {
            ScatterPlot.of(placed, rowLabels).optBackground(map).setTitle(plotTitle).optDpi(dpi).save(out, files);
            if (embeddingOut != null) {
                EmbeddingWriter.write(placed, rowLabels, embeddingOut, files);
            }
            files.commit();
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "placed %d points into the map of %s in %.1f s -> %s%s%n", placed.size(),
                reference.getFileName(), placed.elapsedSeconds(), out, embeddingOut == null ? "" : ", " + embeddingOut);
        stdout.flush();
        return 0;
    }

    /** The library's t-SNE with every option of this command. */
    private Tsne.Builder tsneBuilder(Device device) {
        Affinities affinities = uniform != null ? Affinities.uniform(uniform)
                : perplexities.length > 1 ? Affinities.multiscale(perplexities) : Affinities.perplexity(perplexities[0]);
        Tsne.Builder builder = Tsne.builder().optAffinities(affinities).optIterations(iterations)
                .optMethod(TsneMethod.parse(method)).optTheta(theta).optSeed(seed)
                .optInit(parseInit(init)).optPcaDimensions(noPca ? 0 : 50).optDevice(device)
                .optNeighbors(parseNeighbors(neighbors)).optMetric(parseMetric(metric)).optDimensions(dimensions)
                .optDegreesOfFreedom(dof).optEarlyExaggeration(earlyExaggeration, earlyIterations)
                .optExaggeration(exaggeration).optMomentum(momentum[0], momentum[1])
                .optTransformable(saveMap != null);
        if (learningRate != null) {
            builder.optLearningRate(learningRate);
        }
        if (threads != null) {
            builder.optThreads(threads);
        }
        return builder;
    }

    private static NeighborMethod parseNeighbors(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "exact" -> NeighborMethod.EXACT;
            case "approx", "approximate" -> NeighborMethod.APPROX;
            case "auto" -> NeighborMethod.AUTO;
            default -> throw new TorchsightException(Kind.METHOD, text, "unknown --neighbors '" + text
                    + "'; use exact, approx or auto");
        };
    }

    private static Metric parseMetric(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "euclidean" -> Metric.EUCLIDEAN;
            case "cosine" -> Metric.COSINE;
            default -> throw new TorchsightException(Kind.METHOD, text, "unknown --metric '" + text
                    + "'; use euclidean or cosine");
        };
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
