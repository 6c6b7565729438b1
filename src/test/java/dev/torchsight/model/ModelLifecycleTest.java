package dev.torchsight.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing, ownership of results, process-wide state and the library's own error language. */
class ModelLifecycleTest {
    static final Path SCRIPTED = LayerTapTest.FIXTURES.resolve("small_resnet_scripted.pt");

    @TempDir
    Path dir;

    @Test
    void aClosedModelRefusesWorkClearlyAndClosingTwiceIsHarmless() {
        Model model = Model.load(SCRIPTED);
        LayerTap tap = model.tap("layer4");
        model.close();
        model.close();
        assertTrue(model.isClosed());
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
                () -> model.forward(torch.zeros(1, 3, 64, 64)), () -> model.tap("layer3"), model::layerNames,
                tap::value, () -> model.layers(3, 64))) {
            TorchsightException e = assertThrows(TorchsightException.class, use);
            assertEquals(Kind.MODEL, e.kind());
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        }
    }

    @Test
    void resultsBelongToTheCallersScopeOrToTheCaller() {
        try (Model model = Model.load(SCRIPTED)) {
            Tensor scoped;
            try (PointerScope scope = new PointerScope()) {
                scoped = model.predict(torch.zeros(2, 3, 64, 64));
                assertEquals(10, scoped.size(1));
            }
            assertTrue(scoped.isNull(), "freed with the caller's scope");
            Tensor mine = model.predict(torch.zeros(2, 3, 64, 64));
            try (PointerScope unrelated = new PointerScope()) {
                model.predict(torch.zeros(1, 3, 64, 64));
            }
            assertFalse(mine.isNull(), "without a scope the result lives until the caller closes it");
            assertEquals(2, mine.size(0));
            mine.close();
            assertTrue(mine.isNull());
        }
    }

    @Test
    void layerListingLeavesTheGlobalGeneratorAndThreadCountAlone() {
        int threads = Threads.libtorchThreads();
        try (Model model = Model.load(SCRIPTED)) {
            float[] untouched = draws(null);
            float[] withListing = draws(model);
            assertArrayEquals(untouched, withListing, "the global generator's sequence is the caller's");
            assertEquals(model.layers(3, 64), model.layers(3, 64));
            assertEquals(threads, Threads.libtorchThreads(), "loading and probing keep libtorch's thread count");
        }
    }

    /** Five draws from the global generator seeded with 123, with a layer listing in between when {@code between} is given. */
    private static float[] draws(Model between) {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(123);
            if (between != null) {
                between.layers(3, 32);
            }
            float[] out = new float[5];
            torch.rand(5).contiguous().data_ptr_float().get(out);
            return out;
        }
    }

    @Test
    void aModelWithATupleOutputListsItsLayersAndAsksForAnOutputIndexInLibraryTerms() {
        Path tuple = dir.resolve("tuple.pt");
        try (PointerScope scope = new PointerScope(); JitModule wrapper = new JitModule(new QualifiedName("__torch__.Wrapper"))) {
            wrapper.register_module("net", torch.load(SCRIPTED.toString()));
            wrapper.define("def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:\n"
                    + "    y = self.net.forward(x)\n"
                    + "    return (x.mean(), y)\n");
            wrapper.save(tuple.toString());
        }
        try (PointerScope scope = new PointerScope(); Model model = Model.load(tuple)) {
            List<LayerInfo> layers = model.layers(3, 64);
            assertTrue(layers.stream().anyMatch(l -> l.name().equals("net.layer4") && l.isSpatialMap()));
            TorchsightException e = assertThrows(TorchsightException.class, () -> model.predict(torch.zeros(1, 3, 64, 64)));
            assertEquals(Kind.OUTPUT_INDEX, e.kind());
            assertNull(e.value());
            assertFalse(e.getMessage().contains("--"), e.getMessage());
        }
        try (PointerScope scope = new PointerScope(); Model model = Model.builder().setPath(tuple).optOutputIndex(5).build()) {
            TorchsightException e = assertThrows(TorchsightException.class, () -> model.predict(torch.zeros(1, 3, 64, 64)));
            assertEquals(Kind.OUTPUT_INDEX, e.kind());
            assertEquals(5, e.value());
        }
    }

    @Test
    void aFailingForwardPassCarriesLibtorchsReasonWithoutItsBacktrace() {
        try (PointerScope scope = new PointerScope(); Model model = Model.load(SCRIPTED)) {
            TorchsightException e = assertThrows(TorchsightException.class, () -> model.predict(torch.zeros(1, 1, 64, 64)));
            assertEquals(Kind.MODEL, e.kind());
            String m = e.getMessage();
            assertTrue(m.contains("[1, 1, 64, 64]") && m.contains("channels"), m);
            assertTrue(m.contains("expected input"), "libtorch's own reason: " + m);
            assertFalse(m.contains("\n") || m.contains("frame #") || m.contains("Traceback"), m);
            assertNotNull(e.getCause());
        }
    }

    @Test
    void featureExtractionArgumentsAreCheckedInLibraryTerms() {
        try (PointerScope scope = new PointerScope(); Model model = Model.load(SCRIPTED)) {
            Tensor x = torch.zeros(2, 3, 64, 64);
            TorchsightException pool = assertThrows(TorchsightException.class,
                    () -> FeatureExtractor.extract(model, "fc", 2, 2, 2, (s, c) -> x, done -> { }));
            assertEquals(Kind.POOL, pool.kind());
            assertFalse(pool.getMessage().contains("--"), pool.getMessage());
            TorchsightException batch = assertThrows(TorchsightException.class,
                    () -> FeatureExtractor.extract(model, "fc", 2, 0, 0, (s, c) -> x, done -> { }));
            assertEquals(Kind.BATCH_SIZE, batch.kind());
            assertEquals(0, batch.value());
            TorchsightException negative = assertThrows(TorchsightException.class,
                    () -> FeatureExtractor.extract(model, "fc", 2, 2, -1, (s, c) -> x, done -> { }));
            assertEquals(Kind.POOL, negative.kind());
            TorchsightException layer = assertThrows(TorchsightException.class,
                    () -> FeatureExtractor.extract(model, "nope", 2, 2, 0, (s, c) -> x, done -> { }));
            assertEquals(Kind.LAYER, layer.kind());
        }
    }
}
