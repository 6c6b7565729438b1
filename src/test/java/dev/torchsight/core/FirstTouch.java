package dev.torchsight.core;

import dev.torchsight.io.Dataset;
import dev.torchsight.io.FloatMatrix;
import dev.torchsight.io.Images;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.model.FeatureExtractor;
import dev.torchsight.model.Model;
import dev.torchsight.tsne.Embedding;
import dev.torchsight.tsne.Tsne;
import dev.torchsight.tsne.TsneProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Run in a fresh JVM by {@link FreshMachineTest}: one "first touch" of the natives per run, so the run
 * starts on an empty JavaCPP cache with nothing loaded. Prints {@code OK <detail>} when it worked.
 * Arguments: CASE [FILE].
 */
public final class FirstTouch {
    private FirstTouch() {}

    public static void main(String[] args) throws Exception {
        String detail = switch (args[0]) {
            // The presets alone, no torchsight: reproduces the upstream loading-order defect.
            case "presets-randn" -> String.valueOf(torch.randn(2, 2).sum().item_float());
            // The README's workaround: the gate first, then the caller's own JavaCPP call.
            case "workaround-randn" -> {
                Natives.ensureLoaded();
                yield String.valueOf(torch.randn(2, 2).sum().item_float());
            }
            case "model-load" -> {
                try (Model model = Model.load(Path.of(args[1]))) {
                    yield String.valueOf(model.layerNames().size());
                }
            }
            case "tsne-fit" -> {
                float[] values = new float[60 * 5];
                Random random = new Random(1);
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) random.nextGaussian() + (i / 5 % 2) * 4;
                }
                Embedding e = Tsne.builder().optPerplexity(5).optIterations(250).build()
                        .fit(new FloatMatrix(60, 5, values), TsneProgress.NONE);
                yield String.valueOf(e.coordinates().length);
            }
            case "images-read" -> {
                try (Mat image = Images.read(Path.of(args[1]))) {
                    yield image.cols() + "x" + image.rows();
                }
            }
            case "preprocessing" -> {
                try (Mat image = Images.read(Path.of(args[1]));
                     Tensor batch = Preprocessing.imagenet(32).batch(List.of(image))) {
                    yield java.util.Arrays.toString(batch.sizes().vec().get());
                }
            }
            case "dataset" -> {
                Dataset data = Dataset.imageFolder(Path.of(args[1]), Preprocessing.imagenet(32), null);
                try (Tensor batch = data.batch(0, 2)) {
                    yield data.size() + " " + batch.size(0);
                }
            }
            case "feature-extractor" -> {
                try (Model model = Model.load(Path.of(args[1]))) {
                    Tensor features = FeatureExtractor.extract(model, "layer4", 2, 2, 1,
                            (start, count) -> torch.rand(count, 3, 32, 32), done -> { });
                    yield java.util.Arrays.toString(features.sizes().vec().get());
                }
            }
            default -> throw new IllegalArgumentException("unknown case " + args[0]);
        };
        System.out.println("OK " + detail);
    }
}
