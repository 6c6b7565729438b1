package dev.torchsight.cam.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.cam.CamTarget;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ROAD's imputation, masks and scores and the image-times-map confidence change against
 * pytorch-grad-cam 084273b itself (src/test/resources/cam/metrics/make_fixtures.py), noise off.
 */
class PgcGoldenTest {
    static final int C = 3;
    static final int H = 12;
    static final int W = 10;
    static final int[] PERCENTILES = {10, 20, 30, 40, 50, 60, 70, 80, 90};

    @TempDir
    Path dir;

    static boolean[] known(float[] mask) {
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = mask[i] > 0.5f;
        }
        return out;
    }

    static double maxDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void noiseFreeImputationMatchesPytorchGradCamsSparseSolve() {
        float[] image = Fixtures.rows(Fixtures.floats("images.npy"), C * H * W, 0, 1);
        boolean[] known = known(Fixtures.floats("random_mask.npy"));
        float[] ours = new NoisyLinearImputer(0).impute(image, C, H, W, known, null);
        double small = maxDifference(ours, Fixtures.floats("imputed_random.npy"));

        float[] large = Fixtures.floats("large_image.npy");
        boolean[] largeKnown = known(Fixtures.floats("large_mask.npy"));
        float[] largeOurs = new NoisyLinearImputer(0).impute(large, 3, 48, 40, largeKnown, null);
        double big = maxDifference(largeOurs, Fixtures.floats("large_imputed.npy"));
        System.out.printf("imputation vs pgc: max |difference| %.2e (12x10), %.2e (48x40)%n", small, big);
        assertTrue(small < 2e-6, "12 x 10: " + small);
        assertTrue(big < 2e-6, "48 x 40: " + big);
        for (int p = 0; p < known.length; p++) {
            if (known[p]) {
                assertEquals(image[p], ours[p], "kept pixels stay as they were");
            }
        }
    }

    @Test
    void conjugateGradientsAgreeWithTheFactorisation() {
        float[] large = Fixtures.floats("large_image.npy");
        boolean[] known = known(Fixtures.floats("large_mask.npy"));
        double[][] direct = NoisyLinearImputer.solve(large, 3, 48, 40, known);
        NoisyLinearImputer.Equations system = new NoisyLinearImputer.Equations(48, 40, known);
        double worst = 0;
        for (int c = 0; c < 3; c++) {
            double[] values = new double[48 * 40];
            for (int p = 0; p < values.length; p++) {
                values[p] = large[c * values.length + p];
            }
            double[] x = system.conjugateGradients(system.rhs(values));
            for (int i = 0; i < system.n; i++) {
                worst = Math.max(worst, Math.abs(x[i] - direct[c][system.pixel[i]]));
            }
        }
        assertTrue(worst < 1e-8, "CG vs Cholesky: " + worst);
    }

    @Test
    void noiseIsSeededGaussianOnTheImputedPixelsOnly() {
        float[] image = Fixtures.floats("large_image.npy");
        boolean[] known = known(Fixtures.floats("large_mask.npy"));
        float[] clean = new NoisyLinearImputer(0).impute(image, 3, 48, 40, known, null);
        NoisyLinearImputer noisy = new NoisyLinearImputer(0.01);
        float[] a = noisy.impute(image, 3, 48, 40, known, new SplittableRandom(5));
        float[] b = noisy.impute(image, 3, 48, 40, known, new SplittableRandom(5));
        float[] c = noisy.impute(image, 3, 48, 40, known, new SplittableRandom(6));
        assertArrayEquals(a, b, "the same seed gives the same image");
        double sum = 0;
        double squares = 0;
        int n = 0;
        for (int p = 0; p < a.length; p++) {
            if (known[p % known.length]) {
                assertEquals(image[p], a[p]);
            } else {
                double d = a[p] - clean[p];
                sum += d;
                squares += d * d;
                n++;
            }
        }
        double sd = Math.sqrt(squares / n - (sum / n) * (sum / n));
        System.out.printf("imputation noise: %d values, mean %.5f, sd %.5f%n", n, sum / n, sd);
        assertEquals(3 * 1002, n);
        assertEquals(0.01, sd, 0.0008, "noise sd");   // 3006 draws: the sd's own sd is 0.01 / sqrt(2 * 3006) = 1.3e-4
        assertEquals(0, sum / n, 0.0008, "noise mean");  // its sd is 1.8e-4
        assertTrue(maxDifference(a, c) > 0.01, "another seed, other noise");
    }

    @Test
    void roadMasksArePytorchGradCamsPercentileMasks() {
        float[] maps = Fixtures.floats("maps.npy");
        float[] masks = Fixtures.floats("road_masks.npy");
        int hw = H * W;
        for (int i = 0; i < 2; i++) {
            float[] map = Fixtures.rows(maps, hw, i, i + 1);
            for (int order = 0; order < 2; order++) {
                float[] ranking = order == 0 ? map : MapRanking.inverse(map);
                for (int j = 0; j < PERCENTILES.length; j++) {
                    boolean[] ours = MapRanking.keptBelowPercentile(ranking, PERCENTILES[j]);
                    int at = ((i * 2 + order) * PERCENTILES.length + j) * hw;
                    for (int p = 0; p < hw; p++) {
                        assertEquals(masks[at + p] > 0.5f, ours[p], "image " + i + " order " + order + " percentile "
                                + PERCENTILES[j] + " pixel " + p);
                    }
                }
            }
        }
    }

    @Test
    void roadAndConfidenceChangeMatchPytorchGradCamOnALinearModel() {
        Path file = Fixtures.linearModel(dir, Fixtures.floats("weights.npy"), new float[2], C, H, W);
        float[] maps = Fixtures.floats("maps.npy");
        float[][] perImage = {Fixtures.rows(maps, H * W, 0, 1), Fixtures.rows(maps, H * W, 1, 2)};
        List<CamTarget> targets = List.of(CamTarget.probability(1), CamTarget.logit(0));
        try (Model model = Model.load(file); PointerScope scope = new PointerScope()) {
            Tensor batch = Tensor.create(Fixtures.floats("images.npy"), 2, C, H, W);
            float[] logits = Fixtures.floats("logits.npy");
            float[] ours = new float[4];
            model.predict(batch).contiguous().data_ptr_float().get(ours);
            assertTrue(maxDifference(ours, logits) < 1e-5, "the Java model is pgc's model");

            Faithfulness metrics = Faithfulness.builder(model).optNoise(0).optBatchSize(7).build();
            List<RoadScore> road = metrics.road(batch, perImage, targets);
            float[] morf = Fixtures.floats("road_morf.npy");
            float[] lerf = Fixtures.floats("road_lerf.npy");
            double worst = 0;
            for (int i = 0; i < 2; i++) {
                RoadScore r = road.get(i);
                assertEquals(i, r.imageIndex());
                assertArrayEquals(PERCENTILES, r.percentiles());
                for (int j = 0; j < PERCENTILES.length; j++) {
                    worst = Math.max(worst, Math.abs(r.mostRelevantFirst()[j] - morf[i * 9 + j]));
                    worst = Math.max(worst, Math.abs(r.leastRelevantFirst()[j] - lerf[i * 9 + j]));
                }
            }
            System.out.printf("ROAD vs pgc: max |difference| %.2e; combined %.6f %.6f%n", worst, road.get(0).combined(),
                    road.get(1).combined());
            assertTrue(worst < 1e-5, "ROAD per percentile: " + worst);
            // pgc's ROADCombined (road.json): (LeRF average - MoRF average) / 2
            assertEquals(-0.05307619273662567, road.get(0).combined(), 1e-5);
            assertEquals(-0.3796570226550102, road.get(1).combined(), 1e-5);
            assertEquals(0.1817101091146469, road.get(0).mostRelevantFirstAverage(), 1e-5);
            assertEquals(-0.15038983523845673, road.get(1).leastRelevantFirstAverage(), 1e-5);

            List<ConfidenceChange> change = metrics.confidenceChange(batch, perImage, targets);
            float[] golden = Fixtures.floats("cam_mult.npy");
            for (int i = 0; i < 2; i++) {
                assertEquals(golden[i], change.get(i).change(), 1e-5, "image " + i);
                assertEquals(Math.max(0, -golden[i]), change.get(i).drop(), 1e-5);
                assertEquals(golden[i] > 0, change.get(i).increased());
            }
            // Over the batch: the relative drop is defined for image 0 only (image 1's logit score is negative).
            assertTrue(change.get(0).score() > 0 && change.get(1).score() < 0);
            assertTrue(Double.isNaN(change.get(1).relativeDrop()));
            assertEquals(100 * Math.max(0, -golden[0]) / change.get(0).score(), ConfidenceChange.averageDropPercent(change),
                    1e-3);
            int increased = (golden[0] > 0 ? 1 : 0) + (golden[1] > 0 ? 1 : 0);
            assertEquals(50.0 * increased, ConfidenceChange.increasePercent(change), 1e-12);
        }
    }
}
