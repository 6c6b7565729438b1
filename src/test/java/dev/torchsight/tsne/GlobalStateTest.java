package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.FloatMatrix;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** t-SNE and its PCA leave torch's global random generator and libtorch's thread count as they were. */
class GlobalStateTest {
    /** Five draws from torch's global generator after seeding it with 123, with {@code between} run in between. */
    static float[] drawsAfterSeed(Runnable between) {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(123);
            between.run();
            float[] out = new float[5];
            torch.rand(5).contiguous().data_ptr_float().get(out);
            return out;
        }
    }

    static float[] values(Tensor t) {
        float[] out = new float[(int) t.numel()];
        t.contiguous().data_ptr_float().get(out);
        return out;
    }

    @Test
    void randomizedPcaDrawsFromItsOwnGeneratorAndStaysDeterministic() {
        FloatMatrix data = Clusters.gaussian(300, 60, 3, 5);
        float[][] projections = new float[2][];
        float[] untouched = drawsAfterSeed(() -> { });
        float[] withPca = drawsAfterSeed(() -> {
            for (int run = 0; run < 2; run++) {
                Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
                projections[run] = values(Pca.randomized(x.sub(x.mean(new long[] {0}, true,
                        new org.bytedeco.pytorch.ScalarTypeOptional())), 5));
            }
        });
        assertArrayEquals(untouched, withPca, "the global generator's sequence is the caller's");
        assertArrayEquals(projections[0], projections[1], "the same input gives the same components");
        // The guard can fail: a reseed in between changes the sequence.
        assertFalse(java.util.Arrays.equals(untouched, drawsAfterSeed(() -> torch.manual_seed(0))));
    }

    @Test
    void aFitKeepsLibtorchsThreadCountAndTheGlobalGenerator() {
        int before = Threads.libtorchThreads();
        int other = before == 1 ? 2 : 1;
        FloatMatrix data = Clusters.gaussian(120, 60, 3, 7);  // 60 columns: PCA to 50 runs first
        try {
            torch.set_num_threads(other);
            float[] untouched = drawsAfterSeed(() -> { });
            Embedding[] fits = new Embedding[1];
            float[] withFit = drawsAfterSeed(() -> fits[0] = Tsne.builder().optThreads(other == 1 ? 2 : 1)
                    .optIterations(260).optPerplexity(10).build().fit(data, TsneProgress.NONE));
            assertEquals(other, Threads.libtorchThreads(), "libtorch's thread count is the caller's");
            assertArrayEquals(untouched, withFit, "the global generator's sequence is the caller's");
            assertEquals(120, fits[0].size());
            Threads.configure(other == 1 ? 2 : 1);  // the explicit API does change it
            assertNotEquals(other, Threads.libtorchThreads());
        } finally {
            Threads.configure(before);
        }
    }

    @Test
    void aThreadCountBelowOneIsRefusedWithItsKind() {
        TorchsightException e = assertThrows(TorchsightException.class, () -> Threads.configure(0));
        assertEquals(TorchsightException.Kind.THREADS, e.kind());
        assertEquals(0, e.value());
        assertFalse(e.getMessage().contains("--"), e.getMessage());
        TorchsightException b = assertThrows(TorchsightException.class, () -> Tsne.builder().optThreads(-1));
        assertEquals(TorchsightException.Kind.THREADS, b.kind());
        TorchsightException p = assertThrows(TorchsightException.class,
                () -> Tsne.builder().optPerplexity(50).build().fit(Clusters.gaussian(20, 4, 2, 1), TsneProgress.NONE));
        assertEquals(TorchsightException.Kind.PERPLEXITY, p.kind());
        assertEquals(50.0, p.value());
        assertFalse(p.getMessage().contains("--"), p.getMessage());
    }
}
