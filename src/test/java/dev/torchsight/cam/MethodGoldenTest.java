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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method against pytorch-grad-cam's own maps on a small ResNet (src/test/resources/cam, made by
 * make_fixtures.py with pytorch-grad-cam 084273b): top-1 and a given class, at layer4 and layer3,
 * the whole 4-image batch in one call; max |difference| of the normalised maps below 1e-3. Also
 * Shapley-CAM on a softmax target (where its Hessian term is not zero) and Finer-CAM's compared classes.
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
            // FullGrad reads every bias layer whichever layer is asked for: its layer3 map is its layer4 map.
            out.add(Arguments.of(m, "layer3", -1, "golden_" + file + (m.equals("fullgrad") ? "_top1.npy" : "_layer3_top1.npy")));
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

    @Test
    void shapleyCamMatchesOnAProbabilityTarget() {
        // class logits are piecewise linear in layer4 here, so only a softmax target has a Hessian term
        float[] expected = NpyFile.read(FIXTURES.resolve("golden_shapleycam_prob3.npy")).asFloats();
        try (PointerScope scope = new PointerScope(); Model model = Model.load(MODEL)) {
            Cam cam = Cam.builder(model).setMethod("shapleycam").setLayers("layer4").build();
            List<CamResult> results = cam.explain(inputs(), Target.each(CamTarget.probability(3)));
            assertMatches(expected, results, "shapleycam layer4 prob3");
            Cam grad = Cam.builder(model).setMethod("gradcam").setLayers("layer4").build();
            double gap = 0;
            List<CamResult> plain = grad.explain(inputs(), Target.each(CamTarget.probability(3)));
            for (int i = 0; i < 4; i++) {
                for (int p = 0; p < plain.get(i).map().length; p++) {
                    gap = Math.max(gap, Math.abs(plain.get(i).map()[p] - results.get(i).map()[p]));
                }
            }
            assertTrue(gap > 1e-2, "the Hessian term changes the map, max gap " + gap);
        }
    }

    @Test
    void finerCamComparesTheClosestLogits() {
        float[] expected = NpyFile.read(FIXTURES.resolve("finercam_targets.npy")).asFloats();
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = Tensor.create(NpyFile.read(FIXTURES.resolve("logits.npy")).asFloats(), 4, 10);
            List<CamTarget> top = List.of(CamTarget.logit(4), CamTarget.logit(4), CamTarget.logit(4), CamTarget.logit(4));
            List<CamTarget> finer = new FinerCam().targets(top, logits, true);
            for (int i = 0; i < 4; i++) {
                FinerTarget t = (FinerTarget) finer.get(i);
                assertEquals((int) expected[i * 4], t.main());
                for (int j = 0; j < 3; j++) {
                    assertEquals((int) expected[i * 4 + 1 + j], t.compared().get(j));
                }
            }
            assertEquals(top, new FinerCam().targets(top, logits, false));
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
