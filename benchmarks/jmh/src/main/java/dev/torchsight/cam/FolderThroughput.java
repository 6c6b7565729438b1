package dev.torchsight.cam;

import com.google.gson.JsonParser;
import dev.torchsight.cli.Main;
import dev.torchsight.core.Threads;
import dev.torchsight.io.Images;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Folder throughput of `torchsight gradcam` (decode, preprocess, CAM, overlay, write) against the
 * forward-only throughput of the same model at batch 16, in one process; prints the ratio.
 * Usage: java -cp benchmarks.jar dev.torchsight.cam.FolderThroughput MODEL.pt [IMAGES=160]
 */
public final class FolderThroughput {
    private FolderThroughput() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0] : "target/bench/resnet18.pt");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 160;
        Threads.configure(Threads.machineCores());
        Path dir = Files.createTempDirectory("torchsight-folder");
        Random r = new Random(1);
        for (int i = 0; i < count; i++) {
            byte[] px = new byte[240 * 320 * 3];
            r.nextBytes(px);
            try (Mat m = new Mat(240, 320, opencv_core.CV_8UC3, new BytePointer(px))) {
                opencv_imgproc.circle(m, new Point(60 + r.nextInt(200), 60 + r.nextInt(120)), 40,
                        new Scalar(255, 255, 255, 0), -1, opencv_imgproc.LINE_8, 0);
                opencv_imgcodecs.imwrite(dir.resolve(String.format("img%03d.jpg", i)).toString(), m);
            }
        }
        // Alternate the two measurements so background load affects both alike; report medians.
        int rounds = 3;
        double[] forward = new double[rounds];
        double[] folder = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            forward[round] = forwardOnly(model, dir, 16);
            Path out = Files.createTempDirectory("torchsight-out");
            int code = Main.run("gradcam", "--model", model.toString(), "--image", dir.toString(), "--batch-size", "16",
                    "--out", out.toString(), "--quiet");
            if (code != 0) {
                throw new IllegalStateException("gradcam exited with " + code);
            }
            folder[round] = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject()
                    .get("imagesPerSecond").getAsDouble();
            System.out.printf(Locale.ROOT, "round %d: forward-only %.2f images/s, gradcam folder %.2f images/s%n",
                    round + 1, forward[round], folder[round]);
        }
        java.util.Arrays.sort(forward);
        java.util.Arrays.sort(folder);
        double f = forward[rounds / 2];
        double g = folder[rounds / 2];
        System.out.printf(Locale.ROOT, "forward-only (batch 16, model loaded and warm): %.2f images/s (median)%n", f);
        System.out.printf(Locale.ROOT, "gradcam folder (fresh CLI run: decode, preprocess, CAM, overlay, write; batch 16): "
                + "%.2f images/s (median)%n", g);
        System.out.printf(Locale.ROOT, "ratio folder/forward: %.3f (bar: >= 0.8)%n", g / f);
    }

    private static double forwardOnly(Path file, Path dir, int batch) {
        Preprocessing pre = Preprocessing.imagenet(224);
        List<Tensor> batches = new ArrayList<>();
        List<Path> files = Images.listFiles(dir);
        try (Model m = Model.load(file); PointerScope scope = new PointerScope()) {
            for (int from = 0; from + batch <= files.size(); from += batch) {
                List<Mat> imgs = new ArrayList<>();
                for (Path f : files.subList(from, from + batch)) {
                    imgs.add(Images.read(f));
                }
                batches.add(pre.batch(imgs));
            }
            for (Tensor t : batches) {
                m.predict(t);  // warm-up
            }
            long start = System.nanoTime();
            int images = 0;
            for (int rep = 0; rep < 2; rep++) {
                for (Tensor t : batches) {
                    try (PointerScope inner = new PointerScope()) {
                        m.predict(t);
                    }
                    images += batch;
                }
            }
            return images / ((System.nanoTime() - start) / 1e9);
        }
    }
}
