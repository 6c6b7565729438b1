package dev.torchsight.cam.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchsight.cam.CamTarget;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Areas by the trapezoid rule, and deletion/insertion curves whose values are known in closed form. */
class AucTest {
    @TempDir
    Path dir;

    @Test
    void trapezoidOnConstructedCurves() {
        // (1/3) * ((1 + .5) / 2 + (.5 + .25) / 2 + (.25 + 0) / 2) = 1.25 / 3
        assertEquals(1.25 / 3, Auc.trapezoid(new double[] {1, 0.5, 0.25, 0}), 1e-15);
        assertEquals(0.5, Auc.trapezoid(new double[] {0, 1}), 0);
        // y = x^2 at 0, .25, .5, .75, 1: 0.25 * (0/2 + .0625 + .25 + .5625 + 1/2) = 0.34375 (exact: 1/3)
        assertEquals(0.34375, Auc.trapezoid(new double[] {0, 0.0625, 0.25, 0.5625, 1}), 1e-15);
        assertEquals(0.34375, Auc.trapezoid(new double[] {0, 0.25, 0.5, 0.75, 1}, new double[] {0, 0.0625, 0.25, 0.5625, 1}),
                1e-15);
        // uneven x: (0.1 * (1 + 1) + 0.9 * (1 + 0)) / 2 = 0.55
        assertEquals(0.55, Auc.trapezoid(new double[] {0, 0.1, 1}, new double[] {1, 1, 0}), 1e-15);
        assertThrows(TorchsightException.class, () -> Auc.trapezoid(new double[] {1}));
        assertThrows(TorchsightException.class, () -> Auc.trapezoid(new double[] {0, 1, 0.5}, new double[] {0, 0, 0}));
    }

    /**
     * A model whose class-0 logit is a weighted sum of the pixels with weights w summing to 1, on an
     * image of ones, scored by that logit (a target of no single class, so the curve is the score):
     * deleting the first m pixels of the map's order leaves 1 - (sum of their weights), exactly.
     */
    @Test
    void deletionAndInsertionCurvesOfAWeightedSum() {
        int h = 8;
        int w = 6;
        int hw = h * w;
        float[] weights = new float[2 * hw];
        double total = 0;
        for (int p = 0; p < hw; p++) {
            weights[p] = (float) ((p * 7 % hw) + 1);   // a permutation of 1..48, scaled below
            total += weights[p];
        }
        for (int p = 0; p < hw; p++) {
            weights[p] /= (float) total;
        }
        float[] map = new float[hw];
        for (int p = 0; p < hw; p++) {
            map[p] = (float) p / hw;   // pixel 47 first, then 46, ...
        }
        Path file = Fixtures.linearModel(dir, weights, new float[2], 1, h, w);
        CamTarget logit0 = (out, i) -> out.scores().select(0, i).select(0, 0);
        try (Model model = Model.load(file); PointerScope scope = new PointerScope()) {
            float[] ones = new float[hw];
            Arrays.fill(ones, 1f);
            Tensor batch = Tensor.create(ones, 1, 1, h, w);
            int steps = 12;   // 4 pixels a step
            DeletionInsertion di = Faithfulness.builder(model).optSteps(steps).optBatchSize(5).build()
                    .deletionInsertion(batch, new float[][] {map}, List.of(logit0)).get(0);
            double[] deletion = new double[steps + 1];
            double[] insertion = new double[steps + 1];
            for (int k = 0; k <= steps; k++) {
                double removed = 0;
                for (int t = 0; t < 4 * k; t++) {
                    removed += weights[hw - 1 - t];
                }
                deletion[k] = 1 - removed;
                insertion[k] = removed;
            }
            assertArrayEquals(deletion, di.deletion(), 1e-6);
            assertArrayEquals(insertion, di.insertion(), 1e-6);
            assertEquals(Auc.trapezoid(deletion), di.deletionAuc(), 1e-6);
            assertEquals(1.0, di.deletionAuc() + di.insertionAuc(), 1e-6, "a linear score: the two curves add to 1");
            assertEquals(0, di.fractions()[0]);
            assertEquals(1, di.fractions()[steps]);
            assertEquals(-1, di.classIndex());

            // Uniform weights give straight lines: both areas 1/2; with the blurred baseline of an image of
            // ones the deleted pixels keep part of their value, so deletion stays above the zero baseline's.
            float[] uniform = new float[2 * hw];
            Arrays.fill(uniform, 0, hw, 1f / hw);
            try (Model flat = Model.load(Fixtures.linearModel(dir, uniform, new float[2], 1, h, w))) {
                DeletionInsertion line = Faithfulness.builder(flat).optSteps(steps).build()
                        .deletionInsertion(batch, new float[][] {map}, List.of(logit0)).get(0);
                assertEquals(0.5, line.deletionAuc(), 1e-6);
                assertEquals(0.5, line.insertionAuc(), 1e-6);
                assertEquals(1.0, line.deletion()[0], 1e-6);
                assertEquals(0.0, line.deletion()[steps], 1e-6);
                DeletionInsertion blurred = Faithfulness.builder(flat).optSteps(steps).optBaseline(Baseline.BLUR).build()
                        .deletionInsertion(batch, new float[][] {map}, List.of(logit0)).get(0);
                // RISE's blur of an image of ones, zero beyond the border: per pixel the product of the
                // normalised 11-tap Gaussian (sigma 5) summed over the taps that stay inside, row and column.
                double norm = 0;
                for (int k = -5; k <= 5; k++) {
                    norm += Math.exp(-k * k / 50.0);
                }
                double blurMean = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double sy = 0;
                        double sx = 0;
                        for (int k = -5; k <= 5; k++) {
                            sy += y + k >= 0 && y + k < h ? Math.exp(-k * k / 50.0) / norm : 0;
                            sx += x + k >= 0 && x + k < w ? Math.exp(-k * k / 50.0) / norm : 0;
                        }
                        blurMean += sy * sx / hw;
                    }
                }
                assertEquals(blurMean, blurred.deletion()[steps], 1e-6, "fully deleted: the blurred image's mean");
                assertEquals(blurMean, blurred.insertion()[0], 1e-6);
            }
        }
    }
}
