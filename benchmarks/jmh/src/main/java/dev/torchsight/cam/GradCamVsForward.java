package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Grad-CAM latency against the plain no-grad forward of the same model, interleaved call by call in
 * one process (so background load hits both alike); prints medians and their ratio.
 * Usage: java -cp benchmarks.jar dev.torchsight.cam.GradCamVsForward MODEL.pt [LAYER=layer4] [BATCH=1] [CALLS=200]
 */
public final class GradCamVsForward {
    private GradCamVsForward() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String layer = args.length > 1 ? args[1] : "layer4";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        Threads.configure(Threads.machineCores());
        try (Model plain = Model.load(file); Model tapped = Model.load(file)) {
            Cam cam = GradCam.at(tapped, layer);
            torch.manual_seed(0);
            Tensor x = torch.randn(batch, 3, 224, 224);
            for (int i = 0; i < 10; i++) {
                forward(plain, x);
                cam.explain(x, Target.topClass());
            }
            double[] fwd = new double[calls];
            double[] gc = new double[calls];
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                forward(plain, x);
                long t1 = System.nanoTime();
                cam.explain(x, Target.topClass());
                long t2 = System.nanoTime();
                fwd[i] = (t1 - t0) / 1e6;
                gc[i] = (t2 - t1) / 1e6;
            }
            Arrays.sort(fwd);
            Arrays.sort(gc);
            System.out.printf(Locale.ROOT, "%s %s batch %d: no-grad forward median %.1f ms, Grad-CAM median %.1f ms, "
                    + "ratio %.3f (bar: <= 1.15)%n", file.getFileName(), layer, batch, fwd[calls / 2], gc[calls / 2],
                    gc[calls / 2] / fwd[calls / 2]);
        }
    }

    private static void forward(Model model, Tensor x) {
        try (PointerScope scope = new PointerScope()) {
            model.predict(x);
        }
    }
}
