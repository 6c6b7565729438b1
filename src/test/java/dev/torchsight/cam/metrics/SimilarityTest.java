package dev.torchsight.cam.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Spearman against scipy.stats.spearmanr and SSIM against scikit-image, on maps with ties. */
class SimilarityTest {
    @Test
    void matchesScipyAndScikitImage() {
        float[] maps = Fixtures.floats("similarity_maps.npy");
        float[] a = Fixtures.rows(maps, 256, 0, 1);
        float[] b = Fixtures.rows(maps, 256, 1, 2);
        double[] reference = Fixtures.doubles("similarity.npy");
        assertEquals(reference[0], Similarity.spearman(a, b), 1e-9, "scipy.stats.spearmanr");
        assertTrue(!Double.isNaN(reference[1]), "the fixture has scikit-image's SSIM");
        assertEquals(reference[1], Similarity.ssim(a, b, 16, 16), 1e-6, "skimage structural_similarity");
    }

    @Test
    void identicalMapsScoreOneAndConstantMapsHaveNoRankCorrelation() {
        Random r = new Random(3);
        float[] a = new float[100];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        assertEquals(1.0, Similarity.spearman(a, a.clone()), 1e-12);
        assertEquals(1.0, Similarity.ssim(a, a.clone(), 10, 10), 1e-12);
        float[] reversed = new float[100];
        for (int i = 0; i < a.length; i++) {
            reversed[i] = 1 - a[i];
        }
        assertEquals(-1.0, Similarity.spearman(a, reversed), 1e-12);
        assertTrue(Double.isNaN(Similarity.spearman(a, new float[100])));
        assertTrue(Double.isNaN(Similarity.ssim(a, a, 4, 25)), "no 7 x 7 window fits 4 rows");
        // Two constant maps: SSIM's luminance term alone, (2 * 0.5 * 0.25 + C1) / (0.25 + 0.0625 + C1)
        float[] half = new float[100];
        float[] quarter = new float[100];
        java.util.Arrays.fill(half, 0.5f);
        java.util.Arrays.fill(quarter, 0.25f);
        assertEquals((0.25 + 1e-4) / (0.3125 + 1e-4), Similarity.ssim(half, quarter, 10, 10), 1e-12);
    }

    @Test
    void averageRanksShareTies() {
        double[] ranks = MapRanking.averageRanks(new float[] {0.5f, 0.1f, 0.5f, 0.9f, 0.1f});
        assertEquals(java.util.List.of(3.5, 1.5, 3.5, 5.0, 1.5), java.util.Arrays.stream(ranks).boxed().toList());
    }
}
