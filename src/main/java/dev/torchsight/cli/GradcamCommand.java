package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.GradCam;
import dev.torchsight.cam.Target;
import dev.torchsight.core.Device;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.ClassNames;
import dev.torchsight.io.Images;
import dev.torchsight.io.NpyWriter;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.model.Model;
import dev.torchsight.render.Overlay;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code torchsight gradcam}: Grad-CAM overlays and a JSON report for an image or a folder. */
@Command(name = "gradcam", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Grad-CAM heatmaps of a TorchScript model at any layer, drawn over each image.")
final class GradcamCommand implements Callable<Integer> {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL.pt", description = "TorchScript classifier.")
    Path model;

    @Option(names = "--layer", defaultValue = "layer4",
            description = "Layer to explain, a dotted submodule path (default: ${DEFAULT-VALUE}; see torchsight layers).")
    String layer;

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

    @Option(names = "--out", defaultValue = "gradcam-out", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
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
        if (batchSize < 1) {
            throw new TorchsightException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new TorchsightException("--alpha must be in [0, 1], got " + alpha);
        }
        String ext = format.toLowerCase(Locale.ROOT).replace("jpeg", "jpg");
        if (!ext.equals("jpg") && !ext.equals("png")) {
            throw new TorchsightException("--format must be jpg or png, got " + format);
        }
        if (!Files.exists(image)) {
            throw new TorchsightException("--image " + image + " not found; give an image file or a folder of images");
        }
        Preprocessing preprocessing = imageOptions.preprocessing();
        Target target = targets.topK != null ? Target.topK(targets.topK)
                : targets.classIndex != null ? Target.classIndex(targets.classIndex) : Target.topClass();
        ClassNames names = labels == null ? null : ClassNames.read(labels);
        Path root = Files.isDirectory(image) ? image : image.toAbsolutePath().getParent();
        List<Path> files = Files.isDirectory(image) ? Images.listFiles(image) : List.of(image);
        Model.Builder builder = Model.builder().setPath(model).optDevice(Device.parse(device));
        if (outputIndex != null) {
            builder.optOutputIndex(outputIndex);
        }
        try (Model m = builder.build()) {
            GradCam cam = GradCam.at(m, layer);
            GradcamPipeline pipeline = new GradcamPipeline(cam, preprocessing, target,
                    new GradcamPipeline.Outputs(out, ext, alpha, saveMaps, names), root);
            List<Path> candidates = new ArrayList<>();
            for (Path f : files) {
                if (Images.hasImageExtension(f)) {
                    candidates.add(f);
                } else {
                    pipeline.skip(f, "not an image file");
                }
            }
            if (candidates.isEmpty()) {
                throw new TorchsightException("no image files in " + image + " (looked for "
                        + String.join(", ", Images.EXTENSIONS) + ")");
            }
            long start = System.nanoTime();  // throughput excludes loading the model
            int done;
            try (ProgressBar bar = quiet ? null : ProgressBars.create("Grad-CAM", candidates.size(), " img")) {
                done = pipeline.run(candidates, batchSize, n -> {
                    if (bar != null) {
                        bar.stepTo(n);
                    }
                });
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            writeReport(pipeline.results(), pipeline.skipped(), done, seconds);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "Grad-CAM at %s: %d image(s) in %.1f s (%.1f images/s), %d skipped -> %s%n",
                    layer, done, seconds, done / seconds, pipeline.skipped().size(), out.resolve("report.json"));
            stdout.flush();
        }
        return 0;
    }

    private void writeReport(JsonArray results, JsonArray skipped, int done, double seconds) {
        JsonObject report = new JsonObject();
        report.addProperty("model", model.toString());
        report.addProperty("layer", layer);
        report.addProperty("method", "grad-cam");
        report.addProperty("inputSize", imageOptions.size);
        report.addProperty("images", done);
        report.addProperty("skippedCount", skipped.size());
        report.addProperty("seconds", seconds);
        report.addProperty("imagesPerSecond", done / seconds);
        report.add("results", results);
        report.add("skipped", skipped);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
        AtomicFiles.write(out.resolve("report.json"), tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
    }
}
