package dev.torchsight.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.io.NpyFile;
import dev.torchsight.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method against pytorch-grad-cam's own maps on a small ResNet (src/test/resources/cam, made by
 * make_fixtures.py with pytorch-grad-cam 084273b): top-1 and a given class, at layer4 and layer3,
 * the whole 4-image batch in one call; max |difference| of the normalised maps below 1e-3.
 */
class MethodGoldenTest {
    static final Path FIXTURES = Path.of("src/test/resources/cam");
    static final Path MODEL = Path.of("src/test/resources/gradcam/small_resnet_scripted.pt");

    static Tensor inputs() {
        return Tensor.create(NpyFile.read(FIXTURES.resolve("inputs.npy")).asFloats(), 4, 3, 64, 64);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String m : CamMethods.names()) {
            String file = m.replace("++", "plusplus");
            out.add(Arguments.of(m, "layer4", -1, "golden_" + file + "_top1.npy"));
            out.add(Arguments.of(m, "layer4", 3, "golden_" + file + "_class3.npy"));
            out.add(Arguments.of(m, "layer3", -1, "golden_" + file + "_layer3_top1.npy"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} at {1}, class {2}")
    @MethodSource("cases")
    void mapsMatchPytorchGradCam(String method, String layer, int cls, String golden) {
        assertTrue(Files.exists(FIXTURES.resolve(golden)), golden);
        float[] expected = NpyFile.read(FIXTURES.resolve(golden)).asFloats();
        try (PointerScope scope = new PointerScope(); Model model = Model.load(MODEL)) {
            Cam cam = Cam.builder(model).setMethod(method).setLayers(layer).build();
            List<CamResult> results = cam.explain(inputs(), cls < 0 ? Target.topClass() : Target.classIndex(cls));
            assertEquals(4, results.size());
            assertMatches(expected, results, method + " " + layer + " " + cls);
        }
    }

    static void assertMatches(float[] expected, List<CamResult> results, String what) {
        for (CamResult r : results) {
            int hw = r.height() * r.width();
            double maxDiff = 0;
            for (int p = 0; p < hw; p++) {
                maxDiff = Math.max(maxDiff, Math.abs(r.map()[p] - expected[r.imageIndex() * hw + p]));
            }
            assertTrue(maxDiff < 1e-3, what + " image " + r.imageIndex() + " max diff " + maxDiff);
        }
    }
}
