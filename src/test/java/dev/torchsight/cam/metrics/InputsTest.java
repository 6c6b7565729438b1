package dev.torchsight.cam.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.CamTarget;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Maps as CAM results or arrays give the same numbers; inputs that do not fit are refused by kind. */
class InputsTest {
    @TempDir
    Path dir;

    static void refused(Kind kind, Executable call) {
        TorchsightException e = assertThrows(TorchsightException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertFalse(e.getMessage().contains("--") || e.getMessage().contains("\n"), e.getMessage());
    }

    static CamResult result(int image, int rank, int cls, float[] map, int h, int w) {
        return new CamResult(image, rank, cls, 0, 0, cls, new float[1], 1, 1, map, h, w);
    }

    @Test
    void resultsDefaultToTheirClassProbabilityAndMatchArrays() {
        KnownEvidenceTest.Setup s = KnownEvidenceTest.setup(4);
        int size = KnownEvidenceTest.S;
        try (Model model = Model.load(Fixtures.linearModel(dir, s.weights(), s.bias(), 1, size, size));
             PointerScope scope = new PointerScope()) {
            Tensor batch = Tensor.create(s.images(), KnownEvidenceTest.N, 1, size, size);
            Faithfulness metrics = Faithfulness.builder(model).optSteps(8).optPercentiles(25, 75).optSeed(9).build();
            // image 2 twice (two ranks), image 0 once
            List<CamResult> results = List.of(result(2, 0, 1, s.truth()[2], size, size), result(2, 1, 0, s.inverse()[2], size, size),
                    result(0, 0, 1, s.truth()[0], size, size));
            List<DeletionInsertion> fromResults = metrics.deletionInsertion(batch, results);
            List<DeletionInsertion> fromArrays = metrics.deletionInsertion(batch, s.truth(),
                    java.util.Collections.nCopies(KnownEvidenceTest.N, CamTarget.probability(1)));
            assertEquals(3, fromResults.size());
            assertEquals(List.of(2, 2, 0), fromResults.stream().map(DeletionInsertion::imageIndex).toList());
            assertEquals(List.of(1, 0, 1), fromResults.stream().map(DeletionInsertion::classIndex).toList());
            assertArrayEquals(fromArrays.get(2).deletion(), fromResults.get(0).deletion(), 1e-9);
            assertArrayEquals(fromArrays.get(0).insertion(), fromResults.get(2).insertion(), 1e-9);
            // class 0's probability is 1 - class 1's on this two-class model
            for (int k = 0; k <= 8; k++) {
                assertEquals(1, fromResults.get(1).deletion()[k] + metrics.deletionInsertion(batch,
                        List.of(result(2, 0, 1, s.inverse()[2], size, size))).get(0).deletion()[k], 1e-6);
            }
            List<RoadScore> road = metrics.road(batch, results);
            assertArrayEquals(new int[] {25, 75}, road.get(0).percentiles());
            assertEquals(road.get(0).combined(), metrics.road(batch, List.of(results.get(0))).get(0).combined(), 0,
                    "an image's noise does not depend on the other maps in the call");
            assertEquals(3, metrics.confidenceChange(batch, results).size());

            float[] wrongSize = new float[10];
            refused(Kind.INPUT, () -> metrics.road(batch, List.of(result(0, 0, 1, wrongSize, 2, 5))));
            refused(Kind.INPUT, () -> metrics.road(batch, List.of(result(7, 0, 1, s.truth()[0], size, size))));
            refused(Kind.CLASS_INDEX, () -> metrics.road(batch, List.of(result(0, 0, -1, s.truth()[0], size, size))));
            refused(Kind.INPUT, () -> metrics.deletionInsertion(batch, results, List.of(CamTarget.logit(1))));
            refused(Kind.INPUT, () -> metrics.confidenceChange(batch, new float[][] {s.truth()[0]}, List.of(CamTarget.logit(1))));
            refused(Kind.CLASS_INDEX, () -> metrics.deletionInsertion(batch, List.of(result(0, 0, 5, s.truth()[0], size, size))));
            refused(Kind.INPUT_SIZE, () -> metrics.road(batch.select(0, 0), results));
        }
    }

    @Test
    void optionsAreChecked() {
        KnownEvidenceTest.Setup s = KnownEvidenceTest.setup(1);
        try (Model model = Model.load(Fixtures.linearModel(dir, s.weights(), s.bias(), 1, 24, 24))) {
            refused(Kind.GENERAL, () -> Faithfulness.builder(model).optSteps(0));
            refused(Kind.BATCH_SIZE, () -> Faithfulness.builder(model).optBatchSize(0));
            refused(Kind.GENERAL, () -> Faithfulness.builder(model).optPercentiles());
            refused(Kind.GENERAL, () -> Faithfulness.builder(model).optPercentiles(10, 101));
            refused(Kind.GENERAL, () -> Faithfulness.builder(model).optNoise(-1));
            refused(Kind.GENERAL, () -> Faithfulness.builder(model).optNoise(Double.NaN));
            refused(Kind.GENERAL, () -> Faithfulness.builder(model).optRandomisedModules(-1));
        }
        refused(Kind.MODEL, () -> Faithfulness.builder(null));
    }

    @Test
    void everythingRemovedImputesZeroAndNothingRemovedKeepsTheImage() {
        float[] image = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new float[6], new NoisyLinearImputer(0).impute(image, 1, 2, 3, new boolean[6], null));
        boolean[] all = {true, true, true, true, true, true};
        assertArrayEquals(image, new NoisyLinearImputer(0.5).impute(image, 1, 2, 3, all, new java.util.SplittableRandom(1)));
        // One removed pixel in the middle of a 3 x 3 image: the weighted mean of its 8 neighbours.
        float[] nine = {1, 2, 3, 4, 0, 6, 7, 8, 9};
        boolean[] centre = {true, true, true, true, false, true, true, true, true};
        double expected = (1 + 3 + 7 + 9) / 12.0 + (2 + 4 + 6 + 8) / 6.0;
        assertEquals(expected, new NoisyLinearImputer(0).impute(nine, 1, 3, 3, centre, null)[4], 1e-6);
        refused(Kind.INPUT, () -> new NoisyLinearImputer(0).impute(image, 1, 2, 2, new boolean[4], null));
        refused(Kind.GENERAL, () -> new NoisyLinearImputer(0.1).impute(image, 1, 2, 3, new boolean[6], null));
    }
}
