package dev.torchsight.cam.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.cam.Cam;
import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Target;
import dev.torchsight.model.Model;
import dev.torchsight.model.SmallCnn;
import dev.torchsight.model.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-randomisation sanity check on a small CNN (conv1, pool, conv2, fc) trained in-process to tell
 * noise images with a bright square (class 1) from plain noise (class 0), explained by Grad-CAM at conv2
 * for class 1: a copy with nothing randomised gives the same maps (correlation exactly 1), a randomised
 * copy gives maps that correlate far less, and the caller's model is left as it was.
 */
class RandomisationTest {
    static final int SIZE = 16;
    static final int N = 6;

    @TempDir
    Path dir;

    /** n noise images of 0..0.3, a 5 x 5 square of 1 in each of class 1 (all, or about half). */
    static float[] squares(int n, long seed, boolean all, long[] labels) {
        Random r = new Random(seed);
        float[] px = new float[n * SIZE * SIZE];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < SIZE * SIZE; p++) {
                px[i * SIZE * SIZE + p] = 0.3f * r.nextFloat();
            }
            int cls = all ? 1 : r.nextInt(2);
            int y = r.nextInt(SIZE - 4);
            int x = r.nextInt(SIZE - 4);
            for (int d = 0; cls == 1 && d < 25; d++) {
                px[i * SIZE * SIZE + (y + d / 5) * SIZE + x + d % 5] = 1f;
            }
            if (labels != null) {
                labels[i] = cls;
            }
        }
        return px;
    }

    @Test
    void randomisedWeightsDecorrelateTheMapsAndAnIdenticalCopyDoesNot() throws Exception {
        long seeds = Long.getLong("torchsight.test.seeds", 1);
        for (long seed = 1; seed <= seeds; seed++) {
            Path file = dir.resolve("cnn" + seed + ".pt");
            float[] pixels = squares(N, seed, true, null);
            try (PointerScope scope = new PointerScope()) {
                long[] labels = new long[300];
                float[] train = squares(300, 1000 + seed, false, labels);
                JitModule net = SmallCnn.build(1, SIZE, new int[] {6, 8}, 2, 100 + seed, 0.2, 0.3);
                Trainer.fit(net, Tensor.create(train, 300, 1, SIZE, SIZE), Tensor.create(labels, 300), 4, 32, 3e-3, seed,
                        epoch -> { });
                long[] testLabels = new long[200];
                float[] test = squares(200, 2000 + seed, false, testLabels);
                double accuracy = Trainer.accuracy(net, Tensor.create(test, 200, 1, SIZE, SIZE), Tensor.create(testLabels, 200),
                        100);
                assertTrue(accuracy > 0.95, "the network learned the squares: " + accuracy);
                net.save(file.toString());
            }
            try (Model model = Model.load(file); PointerScope scope = new PointerScope()) {
                Tensor batch = Tensor.create(pixels, N, 1, SIZE, SIZE);
                Cam cam = Cam.builder(model).setMethod("gradcam").setLayers("conv2").build();
                List<CamResult> before = cam.explain(batch, Target.classIndex(1));

                RandomisationCheck same = Faithfulness.builder(model).optRandomisedModules(0).optSeed(seed).build()
                        .modelRandomisation(cam, batch, Target.classIndex(1));
                assertEquals(List.of(), same.randomisedParameters());
                assertEquals(N, same.maps().size());
                for (MapSimilarity m : same.maps()) {
                    assertEquals(1.0, m.spearman(), 1e-12, "identical copy, image " + m.imageIndex());
                    assertEquals(1.0, m.ssim(), 1e-12);
                }

                RandomisationCheck top = Faithfulness.builder(model).optRandomisedModules(1).optSeed(seed).build()
                        .modelRandomisation(cam, batch, Target.classIndex(1));
                RandomisationCheck all = Faithfulness.builder(model).optSeed(seed).build()
                        .modelRandomisation(cam, batch, Target.classIndex(1));
                assertEquals(List.of("fc.weight", "fc.bias"), top.randomisedParameters());
                assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"),
                        all.randomisedParameters());
                System.out.printf("seed %d: Spearman identical %.3f, fc randomised %.3f, all %.3f; SSIM %.3f, %.3f, %.3f%n",
                        seed, same.meanSpearman(), top.meanSpearman(), all.meanSpearman(), same.meanSsim(), top.meanSsim(),
                        all.meanSsim());
                // Measured over seeds 1..10: mean Spearman with everything randomised -0.35..0.82 (per image up to
                // 0.92; NaN where the copy's map is constant), mean SSIM -0.14..0.46.
                for (MapSimilarity m : all.maps()) {
                    assertTrue(Double.isNaN(m.spearman()) || m.spearman() < 0.97, "image " + m.imageIndex() + ": "
                            + m.spearman());
                    assertEquals(1, m.classIndex());
                }
                assertTrue(Double.isNaN(all.meanSpearman()) || all.meanSpearman() < 0.9, "mean " + all.meanSpearman());
                assertTrue(all.meanSsim() < 0.6, "SSIM " + all.meanSsim());
                List<CamResult> after = cam.explain(batch, Target.classIndex(1));
                for (int i = 0; i < N; i++) {
                    assertArrayEquals(before.get(i).map(), after.get(i).map(), "the caller's model is unchanged");
                }
            }
        }
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().startsWith("torchsight-randomised-")).count(),
                    "the randomised copies are deleted");
        }
    }
}
