package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Resident memory over many Grad-CAM calls in one process: RSS after a warm-up of 1,000 calls and
 * after all calls; prints the growth (bar: < 5 %).
 * Usage: java -cp benchmarks.jar dev.torchsight.cam.CamMemorySoak MODEL.pt LAYER SIZE [CALLS=10000]
 */
public final class CamMemorySoak {
    private CamMemorySoak() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String layer = args[1];
        int size = Integer.parseInt(args[2]);
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        Threads.configure(Threads.machineCores());
        try (Model model = Model.load(file)) {
            Cam cam = GradCam.at(model, layer);
            torch.manual_seed(0);
            Tensor input = torch.randn(1, 3, size, size);
            long warm = 0;
            long start = System.nanoTime();
            for (int i = 1; i <= calls; i++) {
                cam.explain(input, Target.topClass());
                if (i == Math.min(1000, calls / 10)) {
                    System.gc();
                    warm = rssKb();
                }
            }
            System.gc();
            long end = rssKb();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%d Grad-CAM calls in %.1f s; RSS after warm-up %d MB, at the end %d MB: growth %.2f%% (bar: < 5%%)%n",
                    calls, seconds, warm / 1024, end / 1024, 100.0 * (end - warm) / warm);
        }
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
