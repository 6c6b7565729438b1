package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.torchsight.cam.Cam;
import dev.torchsight.cam.CamMethods;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Target;
import dev.torchsight.io.Images;
import dev.torchsight.io.NpyFile;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.model.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code gradcam --method ...}: the CLI's maps are the library's, every method, metrics and the ranking. */
class CamFamilyCliTest {
    static final String MODEL = GradcamCliTest.MODEL;

    @TempDir
    Path dir;
    Path images;
    Path out;

    @BeforeEach
    void images() throws IOException {
        images = dir.resolve("images");
        out = dir.resolve("out");
        Files.createDirectories(images);
        CliFixtures.image(images.resolve("a.png"), 64, 64, 1);
        CliFixtures.image(images.resolve("b.png"), 64, 64, 2);
    }

    private CliRunner.Result run(String... extra) {
        String[] base = {"gradcam", "--model", MODEL, "--image", images.toString(), "--size", "64", "--out",
            out.toString(), "--quiet"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliRunner.run(all);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hirescam", "gradcam++", "eigencam", "scorecam", "ablationcam"})
    void savedMapsAreTheLibrarysMaps(String method) {
        CliRunner.Result r = run("--method", method, "--save-maps", "--class", "3");
        assertEquals(0, r.code(), r.err());
        try (PointerScope scope = new PointerScope(); Model model = Model.load(Path.of(MODEL));
             Mat image = Images.read(images.resolve("a.png"))) {
            CamResult lib = Cam.builder(model).setMethod(method).build()
                    .explain(Preprocessing.imagenet(64).batch(List.of(image)), Target.classIndex(3)).get(0);
            float[] cli = NpyFile.read(out.resolve("a.png.cam.npy")).asFloats();
            double max = 0;
            for (int p = 0; p < cli.length; p++) {
                max = Math.max(max, Math.abs(cli[p] - lib.map()[p]));
            }
            assertTrue(max < 1e-5, method + " max diff " + max);
        }
    }

    @Test
    void allMethodsWithMetricsWriteEveryOverlayAndRankThem() throws IOException {
        CliRunner.Result r = run("--method", "all", "--metrics", "--batch-size", "2");
        assertEquals(0, r.code(), r.err());
        for (String m : CamMethods.names()) {
            assertTrue(Files.exists(out.resolve("a.png." + m + ".cam.jpg")), m);
            assertTrue(r.out().contains(m), "table row for " + m);
        }
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(CamMethods.names().size(), report.getAsJsonArray("ranking").size());
        JsonObject gradcam = report.getAsJsonObject("metrics").getAsJsonObject("gradcam");
        double deletion = gradcam.get("deletionAuc").getAsDouble();
        assertTrue(deletion > 0 && deletion < 1, "deletion AUC of a probability curve: " + deletion);
        JsonObject first = report.getAsJsonArray("results").get(0).getAsJsonObject()
                .getAsJsonArray("targets").get(0).getAsJsonObject();
        assertTrue(first.getAsJsonObject("metrics").has("roadCombined"));
        assertTrue(first.getAsJsonObject("metrics").has("randomisationSpearman"));
    }

    @Test
    void badValuesExitTwoWithOneLineAndNoOutput() {
        String[][] cases = {{"--method", "nosuchcam"}, {"--reshape", "12by12"}, {"--cam-batch", "0"},
            {"--activations", "middle"}, {"--layer", "layer4,"}, {"--layer", "layer4,nosuchlayer"},
            {"--reshape", "vit"}};
        for (String[] c : cases) {
            CliRunner.Result r = run(c);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), String.join(" ", c));
        }
    }

    @Test
    void twoLayersAndSmoothingRun() throws IOException {
        CliRunner.Result r = run("--layer", "layer3,layer4", "--eigen-smooth", "--aug-smooth", "--activations", "output");
        assertEquals(0, r.code(), r.err());
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals("layer3,layer4", report.get("layer").getAsString());
    }
}
