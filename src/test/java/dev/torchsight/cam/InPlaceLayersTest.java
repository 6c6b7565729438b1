package dev.torchsight.cam;

import static dev.torchsight.cam.MethodGoldenTest.FIXTURES;
import static dev.torchsight.cam.MethodGoldenTest.assertMatches;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.torchsight.io.NpyFile;
import dev.torchsight.model.Model;
import java.io.IOException;
import java.nio.file.Files;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layers whose output the model changes in place afterwards ({@code out += identity}, {@code ReLU(inplace=True)},
 * {@code F.relu(x, inplace=True)}, {@code x.relu_()}), scripted and traced: Grad-CAM equals pytorch-grad-cam
 * on CPU (its activations are the final values, its gradient the module output's), and with
 * {@link Cam.LayerValues#MODULE_OUTPUT} equals Grad-CAM of the module's own output.
 */
class InPlaceLayersTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"inplace_add, scripted", "inplace_add, traced", "inplace_relu_module, scripted",
        "inplace_relu_module, traced", "inplace_relu_fn, scripted", "inplace_relu_fn, traced",
        "inplace_relu_method, scripted", "inplace_relu_method, traced"})
    void gradCamMatchesPytorchGradCamOnBothSemantics(String name, String export) throws IOException {
        JsonObject layers = JsonParser.parseString(Files.readString(FIXTURES.resolve("inplace_layers.json"))).getAsJsonObject();
        String layer = layers.getAsJsonObject("models").getAsJsonObject(name).get("layer").getAsString();
        Tensor inputs = Tensor.create(NpyFile.read(FIXTURES.resolve("inplace_inputs.npy")).asFloats(), 2, 3, 32, 32);
        try (PointerScope scope = new PointerScope(); Model model = Model.load(FIXTURES.resolve(name + "_" + export + ".pt"))) {
            Cam pgc = Cam.builder(model).setLayers(layer).build();
            assertMatches(NpyFile.read(FIXTURES.resolve("golden_" + name + "_gradcam.npy")).asFloats(),
                    pgc.explain(inputs, Target.topClass()), name + " final values");
            Cam own = Cam.builder(model).setLayers(layer).optLayerValues(Cam.LayerValues.MODULE_OUTPUT).build();
            assertMatches(NpyFile.read(FIXTURES.resolve("golden_" + name + "_gradcam_moduleoutput.npy")).asFloats(),
                    own.explain(inputs, Target.topClass()), name + " module output");
        }
    }

    @Test
    void vitTokensReshapedToAGrid() {
        Tensor inputs = Tensor.create(NpyFile.read(FIXTURES.resolve("tiny_vit_inputs.npy")).asFloats(), 2, 3, 32, 32);
        float[] golden = NpyFile.read(FIXTURES.resolve("golden_tiny_vit_gradcam.npy")).asFloats();
        try (PointerScope scope = new PointerScope(); Model model = Model.load(FIXTURES.resolve("tiny_vit_scripted.pt"))) {
            for (Reshape r : new Reshape[] {Reshape.vit(), Reshape.parse("4x4")}) {
                Cam cam = Cam.builder(model).setLayers("blocks.1.norm1").optReshape(r).build();
                assertMatches(golden, cam.explain(inputs, Target.topClass()), "tiny ViT " + r);
            }
        }
    }
}
