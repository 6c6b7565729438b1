package dev.torchsight.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.io.NpyFile;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Grad-CAM against golden maps made by the article's algorithm with Python hooks (make_fixtures.py). */
class GradCamGoldenTest {
    static final Path FIXTURES = Path.of("src/test/resources/gradcam");

    static Tensor inputs() {
        return Tensor.create(NpyFile.read(FIXTURES.resolve("inputs.npy")).asFloats(), 4, 3, 64, 64);
    }

    @ParameterizedTest
    @CsvSource({"small_resnet_scripted.pt, layer4", "small_resnet_traced.pt, layer4",
        "small_resnet_scripted.pt, layer3.1.conv2", "small_resnet_traced.pt, layer3.1.conv2"})
    void mapsMatchTheReferenceAlgorithm(String file, String layer) {
        float[] golden = NpyFile.read(FIXTURES.resolve("golden_" + layer.replace('.', '_') + ".npy")).asFloats();
        int[] classes = NpyFile.read(FIXTURES.resolve("golden_classes.npy")).asLabels();
        try (PointerScope scope = new PointerScope(); Model model = Model.load(FIXTURES.resolve(file))) {
            List<CamResult> results = GradCam.at(model, layer).explain(inputs(), Target.topClass());
            assertEquals(4, results.size());
            for (CamResult r : results) {
                assertEquals(classes[r.imageIndex()], r.predictedClass(), "predicted class");
                assertEquals(64, r.height());
                double maxDiff = 0;
                for (int p = 0; p < 64 * 64; p++) {
                    maxDiff = Math.max(maxDiff, Math.abs(r.map()[p] - golden[r.imageIndex() * 4096 + p]));
                }
                assertTrue(maxDiff < 1e-3, file + " " + layer + " image " + r.imageIndex() + " max diff " + maxDiff);
            }
        }
    }
}
