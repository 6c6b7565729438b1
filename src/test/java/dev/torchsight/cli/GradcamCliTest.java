package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.torchsight.io.NpyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradcamCliTest {
    static final String MODEL = "src/test/resources/gradcam/small_resnet_scripted.pt";

    @TempDir
    Path dir;
    Path images;
    Path out;

    private static CliRunner.Result run(String... args) {
        return CliRunner.run(args);
    }

    private static void writeImage(Path path, int rows, int cols, long seed) {
        byte[] px = new byte[rows * cols * 3];
        new Random(seed).nextBytes(px);
        try (Mat m = new Mat(rows, cols, opencv_core.CV_8UC3, new BytePointer(px))) {
            assertTrue(opencv_imgcodecs.imwrite(path.toString(), m));
        }
    }

    @BeforeEach
    void images() throws IOException {
        images = dir.resolve("images");
        out = dir.resolve("out");
        Files.createDirectories(images.resolve("nested"));
        writeImage(images.resolve("a.png"), 90, 120, 1);
        writeImage(images.resolve("b.jpg"), 64, 64, 2);
        writeImage(images.resolve("nested/c.png"), 50, 70, 3);
        Files.writeString(images.resolve("notes.txt"), "not an image");
        Files.writeString(images.resolve("broken.png"), "not a png");
    }

    private String[] args(String... extra) {
        String[] base = {"gradcam", "--model", MODEL, "--image", images.toString(), "--size", "64", "--out",
            out.toString(), "--quiet"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void folderRunWritesOverlaysMapsAndAReportAndSkipsNonImages() throws IOException {
        Path names = dir.resolve("names.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append(i).append(" n0144").append(String.format("%04d", i)).append(" thing number ").append(i).append('\n');
        }
        Files.writeString(names, sb.toString());
        CliRunner.Result r = run(args("--top-k", "2", "--labels", names.toString(), "--save-maps", "--batch-size", "2"));
        assertEquals(0, r.code(), r.err());
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(3, report.get("images").getAsInt());
        assertEquals(2, report.get("skippedCount").getAsInt());
        JsonArray results = report.getAsJsonArray("results");
        JsonObject a = results.get(0).getAsJsonObject();
        assertEquals("a.png", a.get("file").getAsString());
        JsonArray targets = a.getAsJsonArray("targets");
        assertEquals(2, targets.size());
        int cls = targets.get(0).getAsJsonObject().get("class").getAsInt();
        assertEquals("thing number " + cls, targets.get(0).getAsJsonObject().get("label").getAsString());
        assertTrue(targets.get(0).getAsJsonObject().get("score").getAsDouble()
                >= targets.get(1).getAsJsonObject().get("score").getAsDouble(), "top-k in score order");
        Mat overlay = opencv_imgcodecs.imread(out.resolve("a.png.top1.cam.jpg").toString());
        assertEquals(90, overlay.rows(), "overlay at the original image size");
        assertEquals(120, overlay.cols());
        NpyFile map = NpyFile.read(out.resolve("nested/c.png.top2.cam.npy"));
        assertEquals(50, map.shape()[0]);
        assertEquals(70, map.shape()[1]);
        float max = 0;
        float min = 1;
        for (float v : map.asFloats()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        assertTrue(max <= 1f && min >= 0f && max > 0.9f, "normalised map " + min + ".." + max);
        assertTrue(r.out().contains("3 image(s)"), r.out());
    }

    private void assertRejected(String hint, String... extra) {
        CliRunner.Result r = run(args(extra));
        assertEquals(2, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(hint), "expected '" + hint + "' in " + lines[0]);
        assertFalse(Files.exists(out.resolve("report.json")), "no report after a fatal error");
        assertFalse(Files.exists(out), "no output folder after a fatal error");
    }

    @Test
    void missingModel() {
        CliRunner.Result r = run("gradcam", "--model", dir.resolve("none.pt").toString(), "--image", images.toString(), "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model file not found"), r.err());
    }

    @Test
    void notATorchScriptArchive() throws IOException {
        Path bogus = dir.resolve("bogus.pt");
        Files.writeString(bogus, "hello");
        CliRunner.Result r = run("gradcam", "--model", bogus.toString(), "--image", images.toString(), "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a TorchScript archive"), r.err());
    }

    @Test
    void unknownLayerListsClosestNames() {
        assertRejected("closest: layer4", "--layer", "layer44");
    }

    @Test
    void layerWithoutSpatialMap() {
        assertRejected("not a spatial map", "--layer", "fc");
    }

    @Test
    void classIndexOutOfRange() {
        assertRejected("class index 50 is out of range: the model has 10 classes", "--class", "50");
    }

    @Test
    void tupleOutputNeedsOutputIndex() throws IOException {
        Path tuple = dir.resolve("tuple.pt");
        try (JitModule wrapper = new JitModule(new QualifiedName("__torch__.Wrapper"))) {
            wrapper.register_module("net", org.bytedeco.pytorch.global.torch.load(MODEL));
            wrapper.define("def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n"
                    + "    y = self.net.forward(x)\n"
                    + "    return (x.mean(), y)\n");
            wrapper.save(tuple.toString());
        }
        CliRunner.Result r = run("gradcam", "--model", tuple.toString(), "--image", images.toString(), "--size", "64",
                "--layer", "net.layer4", "--out", out.toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--output-index"), r.err());
        CliRunner.Result ok = run("gradcam", "--model", tuple.toString(), "--image", images.toString(), "--size", "64",
                "--layer", "net.layer4", "--out", out.toString(), "--quiet", "--output-index", "1");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.exists(out.resolve("a.png.cam.jpg")));
    }

    @Test
    void cudaWithoutAUsableGpuSaysSoAndPointsToCpu() {
        dev.torchsight.core.Natives.ensureLoaded();
        org.junit.jupiter.api.Assumptions.assumeFalse(org.bytedeco.pytorch.global.torch.cuda_is_available(),
                "this check is for machines without a usable GPU");
        assertRejected("--device", "--device", "cuda");  // the flag that fixes it, whatever the wording
    }

    @Test
    void layersCommandListsShapes() {
        CliRunner.Result r = run("layers", MODEL, "--input-size", "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer4.1.conv2"), r.out());
        assertTrue(r.out().matches("(?s).*layer4 +Sequential +\\[1, 64, 8, 8\\].*"), r.out());
    }
}
