package dev.torchsight.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.NpyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerTapTest {
    static final Path FIXTURES = Path.of("src/test/resources/gradcam");

    @TempDir
    Path dir;

    static Tensor inputs() {
        return Tensor.create(NpyFile.read(FIXTURES.resolve("inputs.npy")).asFloats(), 4, 3, 64, 64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_resnet_scripted.pt", "small_resnet_traced.pt"})
    void tappedModelGivesIdenticalOutputsAndTheTapIsTheGradientLeaf(String file) {
        try (PointerScope scope = new PointerScope();
             Model plain = Model.load(FIXTURES.resolve(file));
             Model tapped = Model.load(FIXTURES.resolve(file))) {
            LayerTap tap4 = tapped.tap("layer4");
            LayerTap nested = tapped.tap("layer2.0.conv1");
            float[] golden = NpyFile.read(FIXTURES.resolve("golden_logits.npy")).asFloats();
            for (int rep = 0; rep < 2; rep++) {
                Tensor expected = plain.predict(inputs());
                try (AutoGradMode grad = new AutoGradMode(true)) {
                    Tensor actual = tapped.forward(inputs());
                    assertEquals(0.0, actual.detach().sub(expected).abs().max().item_double(), 0.0, "identical outputs");
                    float[] out = new float[40];
                    actual.detach().contiguous().data_ptr_float().get(out);
                    for (int i = 0; i < 40; i++) {
                        assertEquals(golden[i], out[i], 1e-4, "matches PyTorch eager logits");
                    }
                    Tensor a = tap4.value();
                    assertEquals(List.of(4L, 64L, 8L, 8L), List.of(a.size(0), a.size(1), a.size(2), a.size(3)));
                    Tensor early = nested.value();
                    assertTrue(early.requires_grad(), "the first tap starts the recorded graph");
                    assertTrue(early.is_leaf(), "nothing before the first tap was recorded: it is a leaf");
                    assertTrue(actual.requires_grad(), "the graph after the tap is recorded");
                }
            }
        }
    }

    @Test
    void aTapAddedAfterTheModelRanStillCaptures() {
        try (PointerScope scope = new PointerScope(); Model model = Model.load(FIXTURES.resolve("small_resnet_traced.pt"))) {
            LayerTap first = model.tap("layer4");
            Tensor before = model.predict(inputs());
            LayerTap late = model.tap("layer2");  // the executor already inlined the graphs: reloads
            Tensor after = model.predict(inputs());
            assertEquals(0.0, after.sub(before).abs().max().item_double(), 0.0, "same outputs after the reload");
            assertEquals(16L, late.value().size(1));
            assertEquals(64L, first.value().size(1), "earlier taps keep working");
        }
    }

    @Test
    void layerListingShowsShapesAndUnknownLayersSuggestNames() {
        try (Model model = Model.load(FIXTURES.resolve("small_resnet_scripted.pt"))) {
            List<LayerInfo> layers = model.layers(3, 64);
            LayerInfo layer4 = layers.stream().filter(l -> l.name().equals("layer4")).findFirst().orElseThrow();
            assertEquals(List.of(1L, 64L, 8L, 8L), layer4.outputShape());
            LayerInfo fc = layers.stream().filter(l -> l.name().equals("fc")).findFirst().orElseThrow();
            assertEquals(List.of(1L, 10L), fc.outputShape());
            assertFalse(fc.isSpatialMap());
            assertTrue(layers.stream().anyMatch(l -> l.name().equals("layer4.1.conv2")));
            TorchsightException e = assertThrows(TorchsightException.class, () -> model.tap("layer5"));
            assertTrue(e.getMessage().contains("closest: layer4") || e.getMessage().contains("layer1"), e.getMessage());
            assertEquals(TorchsightException.Kind.LAYER, e.kind());
            assertEquals("layer5", e.value());
            assertFalse(e.getMessage().contains("--"), "library messages name no command-line flags: " + e.getMessage());
        }
    }

    @Test
    void notATorchScriptArchiveIsRefusedClearly() throws Exception {
        Path bogus = dir.resolve("bogus.pt");
        Files.writeString(bogus, "not a zip");
        TorchsightException e = assertThrows(TorchsightException.class, () -> Model.load(bogus));
        assertTrue(e.getMessage().contains("not a TorchScript archive"), e.getMessage());
        assertEquals(TorchsightException.Kind.MODEL, e.kind());
        assertFalse(e.getMessage().contains("frame #"), "no C++ backtrace: " + e.getMessage());
        TorchsightException missing = assertThrows(TorchsightException.class, () -> Model.load(dir.resolve("no.pt")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
        assertEquals(TorchsightException.Kind.MODEL, missing.kind());
    }
}
