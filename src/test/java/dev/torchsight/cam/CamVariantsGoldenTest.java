package dev.torchsight.cam;

import static dev.torchsight.cam.MethodGoldenTest.FIXTURES;
import static dev.torchsight.cam.MethodGoldenTest.MODEL;
import static dev.torchsight.cam.MethodGoldenTest.assertMatches;
import static dev.torchsight.cam.MethodGoldenTest.inputs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchsight.io.NpyFile;
import dev.torchsight.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Options of the engine against pytorch-grad-cam's maps (src/test/resources/cam): several layers,
 * eigen- and augmentation smoothing, probability and per-image targets, Ablation-CAM where the layer's
 * minimum is not 0; and per-image targets in one batch against the images run one by one.
 */
class CamVariantsGoldenTest {
    private static void check(String golden, UnaryOperator<Cam.Builder> options, Target target) {
        float[] expected = NpyFile.read(FIXTURES.resolve(golden)).asFloats();
        try (PointerScope scope = new PointerScope(); Model model = Model.load(MODEL)) {
            Cam cam = options.apply(Cam.builder(model)).build();
            assertMatches(expected, cam.explain(inputs(), target), golden);
        }
    }

    @Test
    void twoLayersAreAveragedAsPytorchGradCamDoes() {
        check("golden_gradcam_layers34_top1.npy", b -> b.setLayers("layer3", "layer4"), Target.topClass());
    }

    @Test
    void eigenSmoothing() {
        check("golden_gradcam_eigensmooth_top1.npy", b -> b.optEigenSmooth(true), Target.topClass());
    }

    @Test
    void augmentationSmoothing() {
        check("golden_gradcam_augsmooth_top1.npy", b -> b.optAugSmooth(true), Target.topClass());
    }

    @Test
    void probabilityTarget() {
        check("golden_gradcam_prob3.npy", b -> b, Target.each(CamTarget.probability(3)));
    }

    @Test
    void perImageTargets() {
        check("golden_gradcam_perimage.npy", b -> b, Target.perImage(List.of(CamTarget.logit(1), CamTarget.logit(2),
                CamTarget.logit(3), CamTarget.logit(4))));
    }

    @Test
    void ablationWhereTheLayersMinimumIsNegative() {
        check("golden_ablationcam_layer4_1_bn2_top1.npy", b -> b.setMethod("ablationcam").setLayers("layer4.1.bn2"),
                Target.topClass());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gradcam", "gradcam++", "layercam", "eigengradcam", "scorecam", "ablationcam"})
    void perImageTargetsInOneBatchEqualTheImagesOneByOne(String method) {
        int[] classes = {7, 2, 9, 0};
        try (PointerScope scope = new PointerScope(); Model model = Model.load(MODEL)) {
            Cam cam = Cam.builder(model).setMethod(method).setLayers("layer3").optCamBatch(7).build();
            Tensor batch = inputs();
            List<CamTarget> targets = new ArrayList<>();
            for (int c : classes) {
                targets.add(CamTarget.logit(c));
            }
            List<CamResult> together = cam.explain(batch, Target.perImage(targets));
            for (int i = 0; i < classes.length; i++) {
                CamResult alone = cam.explain(batch.narrow(0, i, 1), Target.classIndex(classes[i])).get(0);
                CamResult one = together.get(i);
                assertEquals(classes[i], one.classIndex());
                assertEquals(alone.score(), one.score(), 1e-4);
                float[] a = alone.map();
                float[] b = one.map();
                double max = 0;
                for (int p = 0; p < a.length; p++) {
                    max = Math.max(max, Math.abs(a[p] - b[p]));
                }
                assertEquals(0, max, 1e-4, method + " image " + i);
            }
        }
    }

    @Test
    void topKRanksFollowTheScores() {
        try (PointerScope scope = new PointerScope(); Model model = Model.load(MODEL)) {
            List<CamResult> r = Cam.builder(model).build().explain(inputs(), Target.topK(3));
            assertEquals(12, r.size());
            float[] logits = NpyFile.read(FIXTURES.resolve("logits.npy")).asFloats();
            for (int i = 0; i < 4; i++) {
                int[] got = {r.get(3 * i).classIndex(), r.get(3 * i + 1).classIndex(), r.get(3 * i + 2).classIndex()};
                int[] expected = new int[3];
                boolean[] used = new boolean[10];
                for (int k = 0; k < 3; k++) {
                    int best = -1;
                    for (int c = 0; c < 10; c++) {
                        if (!used[c] && (best < 0 || logits[i * 10 + c] > logits[i * 10 + best])) {
                            best = c;
                        }
                    }
                    used[best] = true;
                    expected[k] = best;
                }
                assertArrayEquals(expected, got);
            }
        }
    }
}
