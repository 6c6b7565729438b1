package dev.torchsight.cam;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.ClassNames;
import dev.torchsight.io.Images;
import dev.torchsight.io.Json;
import dev.torchsight.io.NpyWriter;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.render.Overlay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;

/**
 * The folder pipeline: an image or a folder of images in, per image a JET overlay (and optionally the
 * map as .npy) per method and target, and {@code report.json}, out. One I/O thread decodes the next
 * batch and writes the previous one while the calling thread runs the CAMs, so image I/O overlaps with
 * compute. Every file appears at the end of a successful run, none after a failure.
 *
 * <pre>{@code
 * CamPipeline.Summary s = CamPipeline.builder(List.of(cam), preprocessing)
 *         .setInput(Path.of("images")).setOutput(Path.of("out")).optSaveMaps(true).build().run(done -> { });
 * }</pre>
 *
 * <p>Output names: the input's path relative to the input folder with its extension kept, then
 * {@code .cam.jpg} ({@code x.png -> x.png.cam.jpg}); {@code .topK} with several targets per image and
 * {@code .METHOD} with several methods come before {@code .cam}.
 */
public final class CamPipeline {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /**
     * What a run did.
     *
     * @param images images explained
     * @param skipped files skipped (not images, unreadable)
     * @param seconds time spent on the images (model loading excluded)
     * @param report the report file
     * @param metrics per method, the mean of each faithfulness metric (empty without metrics)
     * @param ranking methods from best to worst by the metrics (empty with one method or no metrics)
     */
    public record Summary(int images, int skipped, double seconds, Path report, Map<String, Map<String, Double>> metrics,
                          List<String> ranking) { }

    private final List<Cam> cams;
    private final Preprocessing preprocessing;
    private final Target target;
    private final Path input;
    private final Path out;
    private final String extension;
    private final double alpha;
    private final boolean saveMaps;
    private final ClassNames names;
    private final int batchSize;
    private final CamScorer scorer;
    private final JsonArray results = new JsonArray();
    private final JsonArray skipped = new JsonArray();
    private Path root;
    private Map<Path, String> stems;
    private AtomicFiles.Transaction files;

    private CamPipeline(Builder b) {
        this.cams = List.copyOf(b.cams);
        this.preprocessing = b.preprocessing;
        this.target = b.target;
        this.input = b.input;
        this.out = b.out;
        this.extension = b.extension;
        this.alpha = b.alpha;
        this.saveMaps = b.saveMaps;
        this.names = b.names;
        this.batchSize = b.batchSize;
        this.scorer = b.scorer;
    }

    /** A pipeline over one or more CAMs of one model (several: each image explained by each). */
    public static Builder builder(List<Cam> cams, Preprocessing preprocessing) {
        return new Builder(cams, preprocessing);
    }

    /**
     * Scores the maps of one batch (faithfulness metrics); see the metrics package. Called on the compute
     * thread with the batch and each CAM's results.
     */
    public interface CamScorer {
        /** Per result (same order), metric name to value; {@code target} is what the results explain. */
        List<Map<String, Double>> score(Cam cam, Tensor batch, Target target, List<CamResult> results);

        /** Methods from best to worst by their mean metrics (method to metric to mean); empty: no ranking. */
        default List<String> rank(Map<String, Map<String, Double>> means) {
            return List.of();
        }
    }

    /**
     * Runs every image; {@code progress} receives the number of files processed so far.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT} when there is no image to read,
     *         {@link Kind#OUTPUT} when an output cannot be written where it must go
     */
    public Summary run(IntConsumer progress) {
        List<Path> candidates = listInputs();
        stems = outputStems(root, candidates);
        requireFreeOutputPlaces();
        Map<String, List<Map<String, Double>>> metricValues = new HashMap<>();
        try (AtomicFiles.Transaction staged = new AtomicFiles.Transaction()) {
            files = staged;
            long start = System.nanoTime();
            int done = runBatches(candidates, progress, metricValues);
            if (done == 0) {
                JsonObject first = skipped.get(skipped.size() - 1).getAsJsonObject();
                for (var e : skipped) {
                    if (e.getAsJsonObject().get("reason").getAsString().startsWith("unreadable image")) {
                        first = e.getAsJsonObject();
                        break;
                    }
                }
                throw new TorchsightException(Kind.INPUT, input, "none of the " + candidates.size()
                        + " image file(s) could be read (" + first.get("file").getAsString() + ": "
                        + first.get("reason").getAsString() + ")");
            }
            double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            Map<String, Map<String, Double>> means = means(metricValues);
            List<String> ranking = scorer != null && cams.size() > 1 ? scorer.rank(means) : List.of();
            Path report = out.resolve("report.json");
            writeReport(report, done, seconds, means, ranking);
            staged.commit();
            return new Summary(done, skipped.size(), seconds, report, means, ranking);
        }
    }

    private List<Path> listInputs() {
        if (!Files.exists(input)) {
            throw new TorchsightException(Kind.INPUT, input, Files.isSymbolicLink(input)
                    ? input + " is a dangling symbolic link; give an image file or a folder of images"
                    : input + " not found; give an image file or a folder of images");
        }
        Path outAbs = out.toAbsolutePath().normalize();
        Path inAbs = input.toAbsolutePath().normalize();
        boolean folder = Files.isDirectory(input);
        List<Path> candidates = new ArrayList<>();
        if (folder) {
            if (outAbs.equals(inAbs)) {
                throw new TorchsightException(Kind.OUTPUT, out, "the output folder " + out
                        + " is the input folder; write the results to another folder");
            }
            root = inAbs;
            // Results written inside the input folder are not inputs of the next run.
            Images.Listing listing = Images.list(input, d -> d.toAbsolutePath().normalize().startsWith(outAbs));
            for (Images.Skipped s : listing.skipped()) {
                skip(s.path(), s.reason());
            }
            for (Path f : listing.files()) {
                if (Images.hasImageExtension(f)) {
                    candidates.add(f);
                } else {
                    skip(f, "not an image file");
                }
            }
            if (candidates.isEmpty()) {
                throw new TorchsightException(Kind.INPUT, input, "no image files in " + input + " (looked for "
                        + String.join(", ", new TreeSet<>(Images.EXTENSIONS)) + ")");
            }
        } else {
            String problem = Images.checkHeader(input);
            if (problem != null) {
                throw new TorchsightException(Kind.INPUT, input, input + " cannot be read: " + problem
                        + "; use a JPEG, PNG, BMP, TIFF, WebP or PNM image");
            }
            root = inAbs.getParent();
            candidates.add(input);
        }
        return candidates;
    }

    /**
     * The name every output of an input file starts with: its path relative to the input folder, with
     * its extension kept, so {@code x.jpg} and {@code x.png} (or {@code a/x.jpg} and {@code b/x.jpg}) never
     * share an output. On a case-insensitive file system names differing only in case would collide:
     * the later one (in path order) gets {@code ~2}, {@code ~3}...
     */
    static Map<Path, String> outputStems(Path root, List<Path> files) {
        Map<Path, String> stems = new HashMap<>();
        Set<String> used = new HashSet<>();
        Path base = root.toAbsolutePath().normalize();
        for (Path f : files) {
            String stem = base.relativize(f.toAbsolutePath().normalize()).toString();
            String unique = stem;
            for (int k = 2; !used.add(unique.toLowerCase(Locale.ROOT)); k++) {
                unique = stem + "~" + k;
            }
            stems.put(f, unique);
        }
        return stems;
    }

    /** The stem of one output: the input's stem, then the method (several methods) and rank (several targets). */
    private String outputStem(String stem, Cam cam, int rank) {
        return stem + (cams.size() > 1 ? "." + cam.method().name() : "")
                + (target.count() > 1 ? ".top" + (rank + 1) : "") + ".cam";
    }

    /** Fails before any work when a file this run will write would land on a folder or under a file. */
    private void requireFreeOutputPlaces() {
        List<String> all = new ArrayList<>(List.of("report.json"));
        for (String stem : stems.values()) {
            for (Cam cam : cams) {
                for (int rank = 0; rank < target.count(); rank++) {
                    String base = outputStem(stem, cam, rank);
                    all.add(base + "." + extension);
                    if (saveMaps) {
                        all.add(base + ".npy");
                    }
                }
            }
        }
        for (String name : all) {
            Path file = out.resolve(name);
            try {
                AtomicFiles.requireNameLength(file);
            } catch (TorchsightException e) {
                throw new TorchsightException(Kind.OUTPUT, file, e.getMessage()
                        + " (an input's name is too long for its output name; rename the input)");
            }
            if (Files.isDirectory(file)) {
                throw new TorchsightException(Kind.OUTPUT, file, file + " is a folder, but this run writes a file "
                        + "there; remove it or choose another output folder");
            }
            for (Path p = file.getParent(); p != null && !p.equals(out); p = p.getParent()) {
                if (Files.exists(p) && !Files.isDirectory(p)) {
                    throw new TorchsightException(Kind.OUTPUT, p, p + " is a file, but this run writes a folder "
                            + "there; remove it or choose another output folder");
                }
            }
        }
    }

    /** Decoded images of one batch and their input tensor. */
    private record Decoded(List<Path> files, List<Mat> images, Tensor tensor) implements AutoCloseable {
        @Override
        public void close() {
            images.forEach(Mat::close);
            if (tensor != null) {
                tensor.close();
            }
        }
    }

    private void skip(Path file, String reason) {
        JsonObject s = new JsonObject();
        s.addProperty("file", relative(file).toString());
        s.addProperty("reason", reason);
        skipped.add(s);
    }

    private int runBatches(List<Path> files, IntConsumer progress, Map<String, List<Map<String, Double>>> metricValues) {
        List<List<Path>> chunks = new ArrayList<>();
        for (int from = 0; from < files.size(); from += batchSize) {
            chunks.add(files.subList(from, Math.min(files.size(), from + batchSize)));
        }
        ExecutorService io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "torchsight-io");
            t.setDaemon(true);
            return t;
        });
        int done = 0;
        int processed = 0;
        List<Future<?>> writes = new ArrayList<>();
        try {
            Future<Decoded> next = io.submit(() -> decode(chunks.get(0)));
            for (int c = 0; c < chunks.size(); c++) {
                Decoded batch = await(next);
                List<Path> nextChunk = c + 1 < chunks.size() ? chunks.get(c + 1) : null;
                next = nextChunk == null ? null : io.submit(() -> decode(nextChunk));
                if (batch.tensor() == null) {
                    batch.close();
                } else {
                    List<List<CamResult>> maps = new ArrayList<>();
                    List<List<Map<String, Double>>> metrics = new ArrayList<>();
                    for (Cam cam : cams) {
                        List<CamResult> r = cam.explain(batch.tensor(), target);
                        maps.add(r);
                        if (scorer != null) {
                            try (PointerScope scope = new PointerScope()) {
                                List<Map<String, Double>> m = scorer.score(cam, batch.tensor(), target, r);
                                metrics.add(m);
                                metricValues.computeIfAbsent(cam.method().name(), k -> new ArrayList<>()).addAll(m);
                            }
                        }
                    }
                    done += batch.images().size();
                    writes.add(io.submit(() -> {
                        try (batch) {
                            write(batch, maps, metrics);
                        }
                        return null;
                    }));
                }
                processed += chunks.get(c).size();
                progress.accept(processed);
            }
            for (Future<?> w : writes) {
                await(w);
            }
        } finally {
            io.shutdownNow();
        }
        return done;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new TorchsightException("image I/O failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TorchsightException("interrupted", e);
        }
    }

    private Decoded decode(List<Path> chunk) {
        List<Mat> images = new ArrayList<>();
        List<Path> decoded = new ArrayList<>();
        for (Path f : chunk) {
            Images.Decoded d = Images.decode(f);
            if (d.image() == null) {
                skip(f, "unreadable image: " + d.problem());  // only this I/O thread touches the list while batches run
            } else {
                images.add(d.image());
                decoded.add(f);
            }
        }
        Tensor tensor = images.isEmpty() ? null : preprocessing.batch(images);
        return new Decoded(decoded, images, tensor);
    }

    private void write(Decoded batch, List<List<CamResult>> maps, List<List<Map<String, Double>>> metrics) {
        JsonObject[] entries = new JsonObject[batch.images().size()];
        for (int m = 0; m < cams.size(); m++) {
            Cam cam = cams.get(m);
            List<CamResult> results = maps.get(m);
            for (int k = 0; k < results.size(); k++) {
                CamResult r = results.get(k);
                JsonObject t = writeOne(batch, cam, r);
                if (!metrics.isEmpty()) {
                    JsonObject values = new JsonObject();
                    metrics.get(m).get(k).forEach((name, v) -> Json.number(values, name, v));
                    t.add("metrics", values);
                }
                JsonObject entry = entries[r.imageIndex()];
                if (entry == null) {
                    Mat original = batch.images().get(r.imageIndex());
                    entry = new JsonObject();
                    entry.addProperty("file", relative(batch.files().get(r.imageIndex())).toString());
                    entry.addProperty("width", original.cols());
                    entry.addProperty("height", original.rows());
                    entry.addProperty("predictedClass", r.predictedClass());
                    entry.addProperty("predictedLabel", label(r.predictedClass()));
                    entry.add("targets", new JsonArray());
                    entries[r.imageIndex()] = entry;
                }
                entry.getAsJsonArray("targets").add(t);
            }
        }
        for (JsonObject e : entries) {
            results.add(e);
        }
    }

    private JsonObject writeOne(Decoded batch, Cam cam, CamResult r) {
        Mat original = batch.images().get(r.imageIndex());
        String stem = outputStem(stems.get(batch.files().get(r.imageIndex())), cam, r.rank());
        Path overlayFile = out.resolve(stem + "." + extension);
        String label = r.classIndex() >= 0 ? label(r.classIndex()) : "target";
        boolean finite = Double.isFinite(r.score()) && (Double.isFinite(r.probability()) || r.classIndex() < 0);
        try (Mat overlay = Overlay.jet(original, r.map(), r.height(), r.width(), alpha)) {
            String caption = !finite ? label + " (non-finite score)"
                    : Double.isFinite(r.probability()) ? String.format(Locale.ROOT, "%s %.1f%%", label, 100 * r.probability())
                    : String.format(Locale.ROOT, "%s %.3g", label, r.score());
            Overlay.caption(overlay, cams.size() > 1 ? cam.method().name() + ": " + caption : caption);
            files.stage(overlayFile, tmp -> {
                if (!opencv_imgcodecs.imwrite(tmp.toString(), overlay)) {
                    throw new java.io.IOException("OpenCV could not encode " + overlayFile.getFileName());
                }
            });
        }
        JsonObject t = new JsonObject();
        if (cams.size() > 1) {
            t.addProperty("method", cam.method().name());
        }
        t.addProperty("rank", r.rank());
        t.addProperty("class", r.classIndex());
        t.addProperty("label", label);
        Json.number(t, "score", r.score());
        Json.number(t, "probability", r.probability());
        if (!finite) {
            t.addProperty("note", "the model output NaN or Infinity for this image; score and probability are null");
        }
        t.addProperty("overlay", out.relativize(overlayFile).toString());
        t.add("map", mapStatistics(r, original));
        if (saveMaps) {
            Path mapFile = out.resolve(stem + ".npy");
            try (Mat big = Overlay.resizeMap(r.map(), r.height(), r.width(), original.rows(), original.cols())) {
                float[] values = new float[original.rows() * original.cols()];
                new FloatPointer(big.data()).get(values);
                files.stage(mapFile, tmp -> NpyWriter.writeFloat32(tmp, original.rows(), original.cols(), values));
            }
            t.addProperty("mapFile", out.relativize(mapFile).toString());
        }
        return t;
    }

    private static JsonObject mapStatistics(CamResult r, Mat original) {
        JsonObject stats = new JsonObject();
        Json.number(stats, "mean", r.mean());
        int peak = r.peakIndex();
        stats.addProperty("peakX", (peak % r.width() + 0.5) / r.width() * original.cols());
        stats.addProperty("peakY", (peak / r.width() + 0.5) / r.height() * original.rows());
        double rawMax = 0;
        for (float v : r.rawMap()) {
            rawMax = Float.isNaN(v) ? Double.NaN : Math.max(rawMax, v);
            if (Double.isNaN(rawMax)) {
                break;
            }
        }
        Json.number(stats, "rawMax", rawMax);
        stats.addProperty("rawHeight", r.rawHeight());
        stats.addProperty("rawWidth", r.rawWidth());
        return stats;
    }

    private String label(int index) {
        if (names == null || index < 0) {
            return Integer.toString(index);
        }
        if (index >= names.size()) {
            // A shorter list is a list for another model; a silent "class N" would hide that.
            throw new TorchsightException(Kind.CLASS_NAMES, index, "the class-name file has " + names.size()
                    + " names but the model reports class " + index + "; give the names of this model's classes");
        }
        return names.name(index);
    }

    private Path relative(Path file) {
        return root.relativize(file.toAbsolutePath().normalize());
    }

    private static Map<String, Map<String, Double>> means(Map<String, List<Map<String, Double>>> values) {
        Map<String, Map<String, Double>> out = new java.util.LinkedHashMap<>();
        values.forEach((method, rows) -> {
            Map<String, Double> sums = new java.util.LinkedHashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            for (Map<String, Double> row : rows) {
                row.forEach((k, v) -> {
                    if (Double.isFinite(v)) {
                        sums.merge(k, v, Double::sum);
                        counts.merge(k, 1, Integer::sum);
                    }
                });
            }
            Map<String, Double> mean = new java.util.LinkedHashMap<>();
            sums.forEach((k, s) -> mean.put(k, s / counts.get(k)));
            out.put(method, mean);
        });
        return out;
    }

    private void writeReport(Path report, int done, double seconds, Map<String, Map<String, Double>> metrics,
                             List<String> ranking) {
        Cam first = cams.get(0);
        JsonObject o = new JsonObject();
        o.addProperty("model", first.model().path().toString());
        o.addProperty("layer", first.layer());
        o.addProperty("method", cams.size() == 1 ? first.method().name() : "all");
        if (cams.size() > 1) {
            JsonArray methods = new JsonArray();
            cams.forEach(c -> methods.add(c.method().name()));
            o.add("methods", methods);
        }
        o.addProperty("inputSize", preprocessing.height());
        o.addProperty("images", done);
        o.addProperty("skippedCount", skipped.size());
        Json.number(o, "seconds", seconds);
        Json.number(o, "imagesPerSecond", done / seconds);
        if (!metrics.isEmpty()) {
            JsonObject summary = new JsonObject();
            metrics.forEach((method, values) -> {
                JsonObject m = new JsonObject();
                values.forEach((k, v) -> Json.number(m, k, v));
                summary.add(method, m);
            });
            o.add("metrics", summary);
        }
        if (!ranking.isEmpty()) {
            JsonArray order = new JsonArray();
            ranking.forEach(order::add);
            o.add("ranking", order);
        }
        o.add("results", results);
        o.add("skipped", skipped);
        String json = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o);
        files.stage(report, tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
    }

    /** Builder: {@code set...} required, {@code opt...} optional. */
    public static final class Builder {
        private final List<Cam> cams;
        private final Preprocessing preprocessing;
        private Target target = Target.topClass();
        private Path input;
        private Path out;
        private String extension = "jpg";
        private double alpha = 0.5;
        private boolean saveMaps;
        private ClassNames names;
        private int batchSize = 16;
        private CamScorer scorer;

        private Builder(List<Cam> cams, Preprocessing preprocessing) {
            if (cams.isEmpty()) {
                throw new TorchsightException(Kind.METHOD, null, "the pipeline needs at least one CAM");
            }
            this.cams = cams;
            this.preprocessing = preprocessing;
        }

        /** An image file, or a folder searched recursively for images. */
        public Builder setInput(Path input) {
            this.input = input;
            return this;
        }

        /** The output folder. */
        public Builder setOutput(Path out) {
            this.out = out;
            return this;
        }

        /** Which targets per image (default: the top class). */
        public Builder optTarget(Target target) {
            this.target = target;
            return this;
        }

        /** Overlay format, jpg or png (default jpg). */
        public Builder optFormat(String extension) {
            String e = extension.toLowerCase(Locale.ROOT).replace("jpeg", "jpg");
            if (!e.equals("jpg") && !e.equals("png")) {
                throw new TorchsightException(Kind.OUTPUT, null, "the overlay format must be jpg or png, got '" + extension + "'");
            }
            this.extension = e;
            return this;
        }

        /** Heatmap weight in the overlay, 0..1 (default 0.5). */
        public Builder optAlpha(double alpha) {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new TorchsightException(Kind.ALPHA, alpha, "the heatmap weight must be in [0, 1], got " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        /** Also save each normalised map at the image's size as float32 .npy. */
        public Builder optSaveMaps(boolean on) {
            this.saveMaps = on;
            return this;
        }

        /** Class names for the captions and the report. */
        public Builder optClassNames(ClassNames names) {
            this.names = names;
            return this;
        }

        /** Images per forward pass (default 16). */
        public Builder optBatchSize(int batchSize) {
            if (batchSize < 1) {
                throw new TorchsightException(Kind.BATCH_SIZE, batchSize, "batch size must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Faithfulness metrics per map, written to the report with a mean per method. */
        public Builder optScorer(CamScorer scorer) {
            this.scorer = scorer;
            return this;
        }

        /** The pipeline (nothing runs until {@link CamPipeline#run}). */
        public CamPipeline build() {
            if (input == null || out == null) {
                throw new TorchsightException(Kind.INPUT, null, "the pipeline needs an input and an output folder");
            }
            return new CamPipeline(this);
        }
    }
}
