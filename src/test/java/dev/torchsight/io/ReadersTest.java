package dev.torchsight.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.TorchsightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {
    @TempDir
    Path dir;

    @Test
    void embeddedFashionMnistHasTenThousandImagesAndBalancedLabels() {
        FloatMatrix images = EmbeddedData.fashionMnistImages(Integer.MAX_VALUE);
        assertEquals(10_000, images.rows());
        assertEquals(784, images.cols());
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : images.values()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        Labels labels = EmbeddedData.fashionMnistLabels(Integer.MAX_VALUE);
        int[] histogram = new int[10];
        for (int c : labels.codes()) {
            histogram[c]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, histogram);
        assertEquals("Ankle boot", labels.classNames().get(9));
        assertEquals(9, labels.codes()[0], "the first test image is an ankle boot");
        assertEquals(2000, EmbeddedData.fashionMnistImages(2000).rows());
    }

    @Test
    void npyFloat32Float64AndIntegerLabelsRoundTrip() throws IOException {
        Path f32 = dir.resolve("a.npy");
        NpyWriter.writeFloat32(f32, 2, 3, new float[] {1, 2, 3, 4, 5, 6.5f});
        FloatMatrix m = DataFiles.readVectors(f32);
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6.5f}, m.values());
        Path f64 = dir.resolve("b.npy");
        NpyWriter.writeFloat64(f64, 3, 1, new double[] {0.25, -1, 1e10});
        assertArrayEquals(new float[] {0.25f, -1f, 1e10f}, DataFiles.readVectors(f64).values());
        Path lab = dir.resolve("l.npy");
        NpyWriter.writeInt64(lab, new long[] {7, 3, 7, 10});
        Labels labels = DataFiles.readLabels(lab);
        assertEquals(List.of("3", "7", "10"), labels.classNames());
        assertArrayEquals(new int[] {1, 0, 1, 2}, labels.codes());
    }

    @Test
    void csvWithHeaderAndTextLabels() throws IOException {
        Path csv = dir.resolve("v.csv");
        Files.writeString(csv, "a,b\n1,2\n3.5,-4\n\n");
        FloatMatrix m = DataFiles.readVectors(csv);
        assertArrayEquals(new float[] {1, 2, 3.5f, -4}, m.values());
        Path txt = dir.resolve("labels.txt");
        Files.writeString(txt, "cat\ndog\ncat\n");
        Labels labels = DataFiles.readLabels(txt);
        assertEquals(List.of("cat", "dog"), labels.classNames());
        assertArrayEquals(new int[] {0, 1, 0}, labels.codes());
        Path ragged = dir.resolve("r.csv");
        Files.writeString(ragged, "1,2\n3\n");
        TorchsightException e = assertThrows(TorchsightException.class, () -> DataFiles.readVectors(ragged));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void idxRejectsTruncatedFiles() throws IOException {
        Path idx = dir.resolve("x-ubyte");
        Files.write(idx, new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3});
        TorchsightException e = assertThrows(TorchsightException.class, () -> DataFiles.readVectors(idx));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void nonFiniteValuesNameTheRow() {
        FloatMatrix m = new FloatMatrix(3, 2, new float[] {1, 2, 3, Float.NaN, 5, 6});
        TorchsightException e = assertThrows(TorchsightException.class, () -> m.requireFinite("x.csv"));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }

    @Test
    void atomicWriteLeavesNothingWhenTheWriterFails() throws IOException {
        Path target = dir.resolve("out.png");
        assertThrows(TorchsightException.class, () -> AtomicFiles.write(target, tmp -> {
            Files.writeString(tmp, "partial");
            throw new IOException("disk full");
        }));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no target and no temp file left behind");
        }
    }
}
