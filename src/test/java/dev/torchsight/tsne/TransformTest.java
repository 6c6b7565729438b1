package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.EmbeddedData;
import dev.torchsight.io.FloatMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placing held-out points into a fitted map, and saving/loading the map. */
class TransformTest {
    private static final int FIT = 2000;
    private static final int HELD_OUT = 500;

    @TempDir
    Path dir;

    /**
     * Fashion-MNIST test images: the first 2,000 fitted, the next 500 placed. A placed point should land
     * among fitted points of its class about as often as a fitted point does.
     */
    @Test
    void heldOutPointsLandInTheirClassCluster() throws IOException {
        FloatMatrix all = EmbeddedData.fashionMnistImages(FIT + HELD_OUT);
        int[] labels = EmbeddedData.fashionMnistLabels(FIT + HELD_OUT).codes();
        FloatMatrix fit = all.head(FIT);
        FloatMatrix rest = new FloatMatrix(HELD_OUT, all.cols(),
                Arrays.copyOfRange(all.values(), FIT * all.cols(), (FIT + HELD_OUT) * all.cols()));
        int[] fitLabels = Arrays.copyOf(labels, FIT);
        int[] restLabels = Arrays.copyOfRange(labels, FIT, FIT + HELD_OUT);
        Embedding map = Tsne.builder().optSeed(1).optThreads(2).optTransformable(true).build()
                .fit(fit, TsneProgress.NONE);
        double fitted = NeighborAccuracy.of(map, fitLabels, 10);
        Embedding placed = map.transform(rest);
        assertEquals(HELD_OUT, placed.size());
        double placedAccuracy = NeighborAccuracy.against(map, fitLabels, placed, restLabels, 10);
        System.out.printf("transform: 10-NN accuracy fitted %.3f, placed %.3f (ratio %.3f)%n", fitted,
                placedAccuracy, placedAccuracy / fitted);
        assertTrue(placedAccuracy >= 0.9 * fitted, "placed " + placedAccuracy + " vs fitted " + fitted);

        // The map survives a save and load: the same placement from the file.
        Path file = dir.resolve("map.tsmap");
        map.save(file);
        Embedding loaded = Embedding.load(file);
        assertArrayEquals(map.coordinates(), loaded.coordinates(), 0.0);
        assertArrayEquals(placed.coordinates(), loaded.transform(rest).coordinates(), 0.0);

        // A placed point does not depend on what else is placed with it.
        FloatMatrix first = rest.head(20);
        double[] alone = map.transform(first).coordinates();
        assertArrayEquals(Arrays.copyOf(placed.coordinates(), alone.length), alone, 1e-9);

        // Damaged files and wrong rows give one clear line.
        Path broken = dir.resolve("broken.tsmap");
        Files.write(broken, Arrays.copyOf(Files.readAllBytes(file), 1000));
        TorchsightException e = assertThrows(TorchsightException.class, () -> Embedding.load(broken));
        assertTrue(e.getMessage().contains("cannot be used"), e.getMessage());
        assertThrows(TorchsightException.class, () -> map.transform(new FloatMatrix(2, 5, new float[10])));
    }

    @Test
    void anEmbeddingWithoutReferenceSaysHowToKeepIt() {
        Embedding e = Tsne.builder().optSeed(1).optIterations(10).build()
                .fit(Clusters.gaussian(100, 5, 2, 1), TsneProgress.NONE);
        TorchsightException ex = assertThrows(TorchsightException.class, () -> e.transform(Clusters.gaussian(3, 5, 1, 2)));
        assertTrue(ex.getMessage().contains("optTransformable"), ex.getMessage());
    }
}
