package dev.torchsight.cli;

import dev.torchsight.cam.Cam;
import dev.torchsight.cam.CamMethod;
import dev.torchsight.cam.CamMethods;
import dev.torchsight.cam.CamPipeline;
import dev.torchsight.cam.Reshape;
import dev.torchsight.cam.Target;
import dev.torchsight.cam.metrics.FaithfulnessScorer;
import dev.torchsight.core.Device;
import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.ClassNames;
import dev.torchsight.model.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code torchsight gradcam}: Grad-CAM overlays and a JSON report for an image or a folder. */
@Command(name = "gradcam", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Class-activation maps (Grad-CAM and its family) of a TorchScript model at any layer, drawn over each image.")
final class GradcamCommand implements Callable<Integer> {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL.pt", description = "TorchScript classifier.")
    Path model;

    @Option(names = "--layer", defaultValue = "layer4",
            description = {"Layer to explain, a dotted submodule path (default: ${DEFAULT-VALUE}; see torchsight layers);",
                "several, comma-separated, average their maps (a,b)."})
    String layer;

    @Option(names = "--method", defaultValue = "gradcam", paramLabel = "NAME",
            description = {"CAM method (default: ${DEFAULT-VALUE}): gradcam, hirescam, gradcam-elementwise, gradcam++,",
                "xgradcam, layercam, eigencam, eigengradcam, scorecam, ablationcam, ...; all runs every method",
                "on the same batch (outputs named x.png.METHOD.cam.jpg) and, with --metrics, ranks them."})
    String method;

    @Option(names = "--eigen-smooth", description = "Map = first principal component of the weighted activations.")
    boolean eigenSmooth;

    @Option(names = "--aug-smooth", description = "Average the maps of horizontal flips x brightness 0.9, 1, 1.1.")
    boolean augSmooth;

    @Option(names = "--reshape", paramLabel = "vit|HxW",
            description = "Token layers (transformers): drop the class token and lay the tokens on a grid (vit: square).")
    String reshape;

    @Option(names = "--cam-batch", defaultValue = "32", paramLabel = "N",
            description = "Inputs per extra forward pass of scorecam and ablationcam (default: ${DEFAULT-VALUE}).")
    int camBatch;

    @Option(names = "--activations", defaultValue = "final", paramLabel = "final|output",
            description = {"Layer values the maps are made of: final = as the model left them after its forward (what",
                "pytorch-grad-cam reads on CPU; differs after in-place ops), output = as the layer returned them."})
    String activations;

    @Option(names = "--metrics", description = "Faithfulness metrics per map in report.json, and a summary table.")
    boolean metrics;

    @Option(names = "--image", required = true, paramLabel = "FILE|DIR",
            description = "An image, or a folder searched recursively for images.")
    Path image;

    @ArgGroup(exclusive = true)
    Targets targets = new Targets();

    static final class Targets {
        @Option(names = "--class", paramLabel = "N", description = "Explain class N (default: the top-1 class).")
        Integer classIndex;

        @Option(names = "--top-k", paramLabel = "K", description = "Explain each of the K best classes.")
        Integer topK;
    }

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names: 'index synset name' lines, one name per line, or JSON.")
    Path labels;

    @Mixin
    PreprocessingOptions imageOptions = new PreprocessingOptions();

    @Option(names = "--batch-size", defaultValue = "16", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", defaultValue = "gradcam-out", paramLabel = "DIR",
            description = {"Output folder (default: ${DEFAULT-VALUE}): report.json and, per image, its path in the input",
                "folder with its extension kept plus .cam.jpg (x.png -> x.png.cam.jpg, a/x.jpg -> a/x.jpg.cam.jpg;",
                ".topK.cam.jpg with --top-k). Every file appears at the end of a successful run, none after a failure."})
    Path out;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Heatmap weight in the overlay (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--format", defaultValue = "jpg", description = "Overlay format: jpg or png (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--save-maps", description = "Also save each normalised map at the image's size as float32 .npy.")
    boolean saveMaps;

    @Option(names = "--output-index", paramLabel = "N", description = "Which output holds the class scores when forward returns a tuple, list or dict.")
    Integer outputIndex;

    @Option(names = "--device", defaultValue = "auto",
            description = "cpu, cuda or auto: the GPU when libtorch (a CUDA build) sees one (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() {
        // 1. Every option value, before any file is read or native code runs.
        Checks.batchSize(batchSize);
        Checks.range(Kind.ALPHA, "--alpha", alpha, 0, 1);
        String ext = format.toLowerCase(Locale.ROOT).replace("jpeg", "jpg");
        if (!ext.equals("jpg") && !ext.equals("png")) {
            throw new TorchsightException("--format must be jpg or png, got '" + format + "'");
        }
        if (targets.classIndex != null) {
            Checks.range(Kind.CLASS_INDEX, "--class", targets.classIndex, 0, Integer.MAX_VALUE);
        }
        if (targets.topK != null) {
            Checks.range(Kind.TOP_K, "--top-k", targets.topK, 1, 1000);
        }
        if (outputIndex != null) {
            Checks.range(Kind.OUTPUT_INDEX, "--output-index", outputIndex, 0, Integer.MAX_VALUE);
        }
        Checks.range(Kind.BATCH_SIZE, "--cam-batch", camBatch, 1, 4096);
        imageOptions.validate();
        Checks.inputMemory(batchSize, 3, imageOptions.size, "use a smaller --batch-size or --size");
        Checks.inputMemory(camBatch, 3, imageOptions.size, "use a smaller --cam-batch or --size");
        String deviceChoice = device.toLowerCase(Locale.ROOT);
        if (!List.of("cpu", "cuda", "gpu", "auto").contains(deviceChoice)) {
            throw new TorchsightException("unknown --device '" + device + "'; use cpu, cuda or auto");
        }
        List<CamMethod> methods = method.strip().equalsIgnoreCase("all") ? CamMethods.all() : List.of(CamMethods.byName(method));
        String[] layers = layer.split(",", -1);
        for (String l : layers) {
            if (l.isBlank()) {
                throw new TorchsightException("--layer '" + layer + "' has an empty layer name; give names separated by commas");
            }
        }
        Reshape tokens = reshape == null ? null : Reshape.parse(reshape);
        Cam.LayerValues values = switch (activations.toLowerCase(Locale.ROOT)) {
            case "final" -> Cam.LayerValues.FINAL;
            case "output" -> Cam.LayerValues.MODULE_OUTPUT;
            default -> throw new TorchsightException("--activations must be final or output, got '" + activations + "'");
        };
        Checks.outputFolder(out, "--out");
        Target target = targets.topK != null ? Target.topK(targets.topK)
                : targets.classIndex != null ? Target.classIndex(targets.classIndex) : Target.topClass();
        ClassNames names = labels == null ? null : ClassNames.read(labels);
        // 2. The model and the layers, then the work; every file is staged until all of it succeeded.
        Model.Builder builder = Model.builder().setPath(model).optDevice(Device.parse(deviceChoice));
        if (outputIndex != null) {
            builder.optOutputIndex(outputIndex);
        }
        try (Model m = builder.build()) {
            List<Cam> cams = new ArrayList<>();
            for (CamMethod cm : methods) {
                cams.add(Cam.builder(m).setMethod(cm).setLayers(layers).optReshape(tokens).optEigenSmooth(eigenSmooth)
                        .optAugSmooth(augSmooth).optCamBatch(camBatch).optLayerValues(values).build());
            }
            CamPipeline.Builder pipeline = CamPipeline.builder(cams, imageOptions.preprocessing()).setInput(image).setOutput(out)
                    .optTarget(target).optFormat(ext).optAlpha(alpha).optSaveMaps(saveMaps).optClassNames(names)
                    .optBatchSize(batchSize);
            if (metrics) {
                pipeline.optScorer(FaithfulnessScorer.create());
            }
            CamPipeline.Summary summary;
            try (ProgressBar bar = Terminal.showProgress(quiet) ? ProgressBars.create(cams.size() == 1
                    ? cams.get(0).method().name() : "CAMs", -1, " img") : null) {
                summary = pipeline.build().run(n -> {
                    if (bar != null) {
                        bar.stepTo(n);
                    }
                });
            }
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "%s at %s: %d image(s) in %.1f s (%.1f images/s), %d skipped -> %s%n",
                    cams.size() == 1 ? cams.get(0).method().name() : cams.size() + " methods", layer, summary.images(),
                    summary.seconds(), summary.images() / summary.seconds(), summary.skipped(), summary.report());
            if (!summary.metrics().isEmpty()) {
                MetricsTable.print(stdout, summary.metrics(), summary.ranking());
            }
            stdout.flush();
        }
        return 0;
    }
}
