package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Milliseconds per image of a no-grad forward pass at several batch sizes (the chunk size of Score-CAM's
 * masked passes), NCHW and channels-last, round-robin in one process; prints medians and ratios to the
 * first size's NCHW time.
 * Usage: java -cp ... dev.torchsight.cam.ChunkSizes MODEL.pt [SIZES=4,8,16,32,64] [ROUNDS=3] [THREADS=2] [IMAGES=64]
 */
public final class ChunkSizes {
    private ChunkSizes() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "4,8,16,32,64").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        BenchProcess.configure(args.length > 3 ? Integer.parseInt(args[3]) : 2);
        int images = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        try (Model model = Model.load(file); PointerScope outer = new PointerScope()) {
            torch.manual_seed(0);
            Tensor x = torch.randn(images, 3, 224, 224);
            Tensor xLast = x.contiguous(torch.MemoryFormat.ChannelsLast);
            double[][] times = new double[sizes.length * 2][rounds];
            for (int r = -1; r < rounds; r++) {  // round -1 warms up
                for (int s = 0; s < sizes.length; s++) {
                    for (int layout = 0; layout < 2; layout++) {
                        Tensor in = layout == 0 ? x : xLast;
                        long t0 = System.nanoTime();
                        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                            for (int from = 0; from < images; from += sizes[s]) {
                                model.forward(in.narrow(0, from, Math.min(sizes[s], images - from)));
                            }
                        }
                        if (r >= 0) {
                            times[s * 2 + layout][r] = (System.nanoTime() - t0) / 1e6 / images;
                        }
                    }
                }
            }
            double base = median(times[0]);
            for (int s = 0; s < sizes.length; s++) {
                double a = median(times[s * 2]);
                double b = median(times[s * 2 + 1]);
                System.out.printf(Locale.ROOT, "batch %3d: NCHW %6.1f ms/image (ratio %.3f), channels-last %6.1f ms/image (ratio %.3f)%n",
                        sizes[s], a, a / base, b, b / base);
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
