package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Cam;
import dev.torchsight.cam.GradCam;
import dev.torchsight.cam.Target;
import dev.torchsight.core.Device;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
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
import java.util.Map;
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
        imageOptions.validate();
        Checks.inputMemory(batchSize, 3, imageOptions.size, "use a smaller --batch-size or --size");
        String deviceChoice = device.toLowerCase(Locale.ROOT);
        if (!List.of("cpu", "cuda", "gpu", "auto").contains(deviceChoice)) {
            throw new TorchsightException("unknown --device '" + device + "'; use cpu, cuda or auto");
        }
        // 2. Inputs and the output folder.
        if (!Files.exists(image)) {
            throw new TorchsightException(Files.isSymbolicLink(image)
                    ? "--image " + image + " is a dangling symbolic link; give an image file or a folder of images"
                    : "--image " + image + " not found; give an image file or a folder of images");
        }
        boolean folder = Files.isDirectory(image);
        if (!folder) {
            String problem = Images.checkHeader(image);
            if (problem != null) {
                throw new TorchsightException(Kind.INPUT, image, "--image " + image + " cannot be read: " + problem
                        + "; use a JPEG, PNG, BMP, TIFF, WebP or PNM image");
            }
        }
        Checks.outputFolder(out, "--out");
        Path outAbs = out.toAbsolutePath().normalize();
        Path imageAbs = image.toAbsolutePath().normalize();
        if (folder && outAbs.equals(imageAbs)) {
            throw new TorchsightException("--out " + out + " is the --image folder; write the results to another folder");
        }
        Target target = targets.topK != null ? Target.topK(targets.topK)
                : targets.classIndex != null ? Target.classIndex(targets.classIndex) : Target.topClass();
        ClassNames names = labels == null ? null : ClassNames.read(labels);
        Path root = folder ? image : imageAbs.getParent();
        List<Path> candidates = new ArrayList<>();
        List<String[]> skips = new ArrayList<>();
        if (folder) {
            // Results written inside the input folder are not inputs of the next run.
            Images.Listing listing = Images.list(image, d -> d.toAbsolutePath().normalize().startsWith(outAbs));
            for (Images.Skipped s : listing.skipped()) {
                skips.add(new String[] {s.path().toString(), s.reason()});
            }
            for (Path f : listing.files()) {
                if (Images.hasImageExtension(f)) {
                    candidates.add(f);
                } else {
                    skips.add(new String[] {f.toString(), "not an image file"});
                }
            }
        } else {
            candidates.add(image);
        }
        if (candidates.isEmpty()) {
            throw new TorchsightException(Kind.INPUT, image, "no image files in " + image + " (looked for "
                    + String.join(", ", new java.util.TreeSet<>(Images.EXTENSIONS)) + ")");
        }
        Map<Path, String> stems = GradcamPipeline.outputStems(root, candidates);
        requireFreeOutputPlaces(stems, target.count(), ext);
        // 3. The model and the layer, then the work; every file is staged until all of it succeeded.
        Preprocessing preprocessing = imageOptions.preprocessing();
        Model.Builder builder = Model.builder().setPath(model).optDevice(Device.parse(deviceChoice));
        if (outputIndex != null) {
            builder.optOutputIndex(outputIndex);
        }
        try (Model m = builder.build(); AtomicFiles.Transaction files = new AtomicFiles.Transaction()) {
            Cam cam = GradCam.at(m, layer);
            GradcamPipeline pipeline = new GradcamPipeline(cam, preprocessing, target,
                    new GradcamPipeline.Outputs(out, ext, alpha, saveMaps, names, files), root, stems);
            for (String[] skip : skips) {
                pipeline.skip(Path.of(skip[0]), skip[1]);
            }
            long start = System.nanoTime();  // throughput excludes loading the model
            int done;
            try (ProgressBar bar = Terminal.showProgress(quiet) ? ProgressBars.create("Grad-CAM", candidates.size(), " img") : null) {
                done = pipeline.run(candidates, batchSize, n -> {
                    if (bar != null) {
                        bar.stepTo(n);
                    }
                });
            }
            if (done == 0) {
                JsonObject first = pipeline.skipped().get(pipeline.skipped().size() - 1).getAsJsonObject();
                for (var e : pipeline.skipped()) {
                    if (e.getAsJsonObject().get("reason").getAsString().startsWith("unreadable image")) {
                        first = e.getAsJsonObject();
                        break;
                    }
                }
                throw new TorchsightException(Kind.INPUT, image, "none of the " + candidates.size()
                        + " image file(s) could be read (" + first.get("file").getAsString() + ": "
                        + first.get("reason").getAsString() + ")");
            }
            double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            writeReport(files, pipeline.results(), pipeline.skipped(), done, seconds);
            files.commit();
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "Grad-CAM at %s: %d image(s) in %.1f s (%.1f images/s), %d skipped -> %s%n",
                    layer, done, seconds, done / seconds, pipeline.skipped().size(), out.resolve("report.json"));
            stdout.flush();
        }
        return 0;
    }

    /** Fails before any work when a file this run will write would land on a folder or under a file. */
    private void requireFreeOutputPlaces(Map<Path, String> stems, int targetCount, String ext) {
        List<String> names = new ArrayList<>(List.of("report.json"));
        for (String stem : stems.values()) {
            names.addAll(GradcamPipeline.outputNames(stem, targetCount, ext, saveMaps));
        }
        for (String name : names) {
            Path file = out.resolve(name);
            try {
                AtomicFiles.requireNameLength(file);
            } catch (TorchsightException e) {
                throw new TorchsightException(Kind.OUTPUT, file, "--out: " + e.getMessage()
                        + " (an input's name is too long for its output name; rename the input)");
            }
            if (Files.isDirectory(file)) {
                throw new TorchsightException(Kind.OUTPUT, file, "--out: " + file + " is a folder, but this run writes a file "
                        + "there; remove it or choose another --out folder");
            }
            for (Path p = file.getParent(); p != null && !p.equals(out); p = p.getParent()) {
                if (Files.exists(p) && !Files.isDirectory(p)) {
                    throw new TorchsightException(Kind.OUTPUT, p, "--out: " + p + " is a file, but this run writes a folder "
                            + "there; remove it or choose another --out folder");
                }
            }
        }
    }

    private void writeReport(AtomicFiles.Transaction files, JsonArray results, JsonArray skipped, int done,
                             double seconds) {
        JsonObject report = new JsonObject();
        report.addProperty("model", model.toString());
        report.addProperty("layer", layer);
        report.addProperty("method", "grad-cam");
        report.addProperty("inputSize", imageOptions.size);
        report.addProperty("images", done);
        report.addProperty("skippedCount", skipped.size());
        Json.number(report, "seconds", seconds);
        Json.number(report, "imagesPerSecond", done / seconds);
        report.add("results", results);
        report.add("skipped", skipped);
        String json = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(report);
        files.stage(out.resolve("report.json"), tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
    }
}
