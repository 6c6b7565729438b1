package example;

import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Cam;
import dev.torchsight.cam.GradCam;
import dev.torchsight.cam.Target;
import dev.torchsight.core.Natives;
import dev.torchsight.io.FloatMatrix;
import dev.torchsight.io.Images;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.model.Model;
import dev.torchsight.tsne.Embedding;
import dev.torchsight.tsne.Tsne;
import dev.torchsight.tsne.TsneProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A JVM tool using torchsight's public API; prints what it computed, one fact per line. */
public final class App {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("workaround-randn")) {
            Natives.ensureLoaded();  // the README's workaround: the gate before the caller's own JavaCPP call
            System.out.println("randn " + torch.randn(3, 3).numel());
        } else {
            // First call: preprocessing of a decoded image, on an empty JavaCPP cache.
            try (Mat image = Images.read(Path.of(args[1]));
                 Tensor batch = Preprocessing.imagenet(64).batch(List.of(image));
                 Model model = Model.load(Path.of(args[2]))) {
                CamResult cam = GradCam.at(model, "layer4").explain(batch, Target.topClass()).get(0);
                double sum = 0;
                for (float v : cam.map()) {
                    sum += v;
                }
                System.out.println(String.format(Locale.ROOT, "gradcam class %d map %dx%d sum %.6f",
                        cam.classIndex(), cam.width(), cam.height(), sum));
            }
            float[] values = new float[90 * 4];
            Random random = new Random(3);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian() + 10 * (i / 4 / 30);
            }
            Embedding e = Tsne.builder().optPerplexity(10).optSeed(1).build().fit(new FloatMatrix(90, 4, values), TsneProgress.NONE);
            System.out.println(String.format(Locale.ROOT, "tsne points %d kl %.4f", e.coordinates().length / 2, e.klDivergence()));
        }
        System.out.println("classpath " + System.getProperty("java.class.path"));
    }
}
