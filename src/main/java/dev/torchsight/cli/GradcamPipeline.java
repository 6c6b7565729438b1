package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Cam;
import dev.torchsight.cam.GradCam;
import dev.torchsight.cam.Target;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.ClassNames;
import dev.torchsight.io.Images;
import dev.torchsight.io.NpyWriter;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.render.Overlay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;

/**
 * The folder pipeline of {@code torchsight gradcam}: decode + preprocess, Grad-CAM, overlay + write.
 * One I/O thread decodes the next batch and writes the previous one while the calling thread runs
 * the model, so image I/O overlaps with CAM compute. Results keep the input order.
 */
final class GradcamPipeline {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /**
     * Output options.
     *
     * @param dir the output folder
     * @param extension overlay format, jpg or png
     * @param alpha heatmap weight
     * @param saveMaps also write each map as .npy
     * @param names class names, or null
     * @param files where finished files are staged until the whole run succeeded
     */
    record Outputs(Path dir, String extension, double alpha, boolean saveMaps, ClassNames names,
                   AtomicFiles.Transaction files) { }

    /**
     * The name every output of an input file starts with: its path relative to the input folder, with
     * its extension kept, so {@code x.jpg} and {@code x.png} (or {@code a/x.jpg} and {@code b/x.jpg}) never
     * share an output ({@code x.jpg.cam.jpg}, {@code x.png.cam.jpg}). On a case-insensitive file system
     * names differing only in case would collide: the later one (in path order) gets {@code ~2}, {@code ~3}...
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

    /** Every file {@code stem} may produce with these options (for checking the places up front). */
    static List<String> outputNames(String stem, int targets, String extension, boolean saveMaps) {
        List<String> names = new ArrayList<>();
        for (int rank = 0; rank < targets; rank++) {
            String base = stem + (targets > 1 ? ".top" + (rank + 1) : "") + ".cam";
            names.add(base + "." + extension);
            if (saveMaps) {
                names.add(base + ".npy");
            }
        }
        return names;
    }

    private final Cam cam;
    private final Preprocessing preprocessing;
    private final Target target;
    private final Outputs outputs;
    private final Path root;
    private final JsonArray results = new JsonArray();
    private final JsonArray skipped = new JsonArray();

    private final Map<Path, String> stems;

    GradcamPipeline(Cam cam, Preprocessing preprocessing, Target target, Outputs outputs, Path root,
                    Map<Path, String> stems) {
        this.stems = stems;
        this.cam = cam;
        this.preprocessing = preprocessing;
        this.target = target;
        this.outputs = outputs;
        this.root = root.toAbsolutePath().normalize();
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

    /** Records a file that is not an image at all. */
    void skip(Path file, String reason) {
        JsonObject s = new JsonObject();
        s.addProperty("file", relative(file).toString());
        s.addProperty("reason", reason);
        skipped.add(s);
    }

    JsonArray results() {
        return results;
    }

    JsonArray skipped() {
        return skipped;
    }

    /** Runs every file in batches; returns how many images were explained. */
    int run(List<Path> files, int batchSize, IntConsumer progress) {
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
                next = c + 1 < chunks.size() ? io.submit(decodeTask(chunks.get(c + 1))) : null;
                if (batch.tensor() == null) {
                    batch.close();
                } else {
                    List<CamResult> maps = explain(batch);
                    done += batch.images().size();
                    writes.add(io.submit(() -> {
                        try (batch) {
                            write(batch, maps);
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

    /**
     * The CAMs of one batch. libtorch failing inside the user's model or its output (integer scores, a
     * detached output...) is a problem of that model, reported with libtorch's own reason; only
     * libtorch's errors are mapped so (JavaCPP raises them as plain RuntimeException), never Java defects.
     */
    private List<CamResult> explain(Decoded batch) {
        try {
            return cam.explain(batch.tensor(), target);
        } catch (TorchsightException e) {
            throw e;
        } catch (RuntimeException e) {
            if (e.getClass() != RuntimeException.class) {
                throw e;
            }
            String reason = e.getMessage() == null ? "unknown error" : e.getMessage().strip().split("\\R")[0];
            throw new TorchsightException(TorchsightException.Kind.MODEL, null, "Grad-CAM failed on this model: "
                    + reason + "; its forward must return float class scores (N x classes) computed from the input", e);
        }
    }

    private java.util.concurrent.Callable<Decoded> decodeTask(List<Path> chunk) {
        return () -> decode(chunk);
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
        List<Path> files = new ArrayList<>();
        for (Path f : chunk) {
            Images.Decoded d = Images.decode(f);
            if (d.image() == null) {
                skip(f, "unreadable image: " + d.problem());  // only this I/O thread touches the list while batches run
            } else {
                images.add(d.image());
                files.add(f);
            }
        }
        Tensor tensor = images.isEmpty() ? null : preprocessing.batch(images);
        return new Decoded(files, images, tensor);
    }

    private void write(Decoded batch, List<CamResult> maps) {
        JsonObject[] entries = new JsonObject[batch.images().size()];
        for (CamResult r : maps) {
            Mat original = batch.images().get(r.imageIndex());
            Path file = batch.files().get(r.imageIndex());
            Path rel = relative(file);
            String stem = stems.get(file) + (target.count() > 1 ? ".top" + (r.rank() + 1) : "") + ".cam";
            Path overlayFile = outputs.dir().resolve(stem + "." + outputs.extension());
            String label = label(r.classIndex());
            boolean finite = Double.isFinite(r.score()) && Double.isFinite(r.probability());
            try (Mat overlay = Overlay.jet(original, r.map(), r.height(), r.width(), outputs.alpha())) {
                Overlay.caption(overlay, finite ? String.format(Locale.ROOT, "%s %.1f%%", label, 100 * r.probability())
                        : label + " (non-finite score)");
                outputs.files().stage(overlayFile, tmp -> {
                    if (!opencv_imgcodecs.imwrite(tmp.toString(), overlay)) {
                        throw new java.io.IOException("OpenCV could not encode " + overlayFile.getFileName());
                    }
                });
            }
            JsonObject t = new JsonObject();
            t.addProperty("rank", r.rank());
            t.addProperty("class", r.classIndex());
            t.addProperty("label", label);
            Json.number(t, "score", r.score());
            Json.number(t, "probability", r.probability());
            if (!finite) {
                t.addProperty("note", "the model output NaN or Infinity for this image; score and probability are null");
            }
            t.addProperty("overlay", outputs.dir().relativize(overlayFile).toString());
            t.add("map", mapStatistics(r, original));
            if (outputs.saveMaps()) {
                Path mapFile = outputs.dir().resolve(stem + ".npy");
                try (Mat big = Overlay.resizeMap(r.map(), r.height(), r.width(), original.rows(), original.cols())) {
                    float[] values = new float[original.rows() * original.cols()];
                    new FloatPointer(big.data()).get(values);
                    outputs.files().stage(mapFile, tmp -> NpyWriter.writeFloat32(tmp, original.rows(), original.cols(), values));
                }
                t.addProperty("mapFile", outputs.dir().relativize(mapFile).toString());
            }
            JsonObject entry = entries[r.imageIndex()];
            if (entry == null) {
                entry = new JsonObject();
                entry.addProperty("file", rel.toString());
                entry.addProperty("width", original.cols());
                entry.addProperty("height", original.rows());
                entry.addProperty("predictedClass", r.predictedClass());
                entry.addProperty("predictedLabel", label(r.predictedClass()));
                entry.add("targets", new JsonArray());
                entries[r.imageIndex()] = entry;
            }
            entry.getAsJsonArray("targets").add(t);
        }
        for (JsonObject e : entries) {
            results.add(e);
        }
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
        if (outputs.names() == null) {
            return Integer.toString(index);
        }
        if (index >= outputs.names().size()) {
            // A shorter list is a list for another model; a silent "class N" would hide that.
            throw new TorchsightException(Kind.CLASS_NAMES, index, "the class-name file has " + outputs.names().size()
                    + " names but the model reports class " + index + "; give the names of this model's classes");
        }
        return outputs.names().name(index);
    }

    private Path relative(Path file) {
        return root.relativize(file.toAbsolutePath().normalize());
    }

}
