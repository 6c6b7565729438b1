package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.io.NpyFile;
import dev.torchsight.io.NpyWriter;
import dev.torchsight.model.Model;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Seconds per image and peak resident memory of a perturbation CAM (Score-CAM or Ablation-CAM) at layer4,
 * one image per call, on the inputs and targets that benchmarks/gradcam/pgc_perturbation.py wrote
 * (DIR/inputs.npy, DIR/classes.npy). Before the timed calls: two plain forward passes of 32 images (the
 * Python side warms up the same way). Writes each map to DIR/ts_METHOD_I.npy (1 x H*W float32) and prints
 * <pre>torchsight METHOD images K seconds_per_image S cpu_seconds_per_image C peak_rss_mb M threads T</pre>
 * Peak memory is the process's VmHWM from /proc/self/status (the JVM included): one method per process.
 * Usage: java -cp ... dev.torchsight.cam.PerturbationBench MODEL.pt DIR METHOD [THREADS=2] [START=0] [COUNT=all] [CAMBATCH=32]
 */
public final class PerturbationBench {
    private PerturbationBench() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        String method = args[2];
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        NpyFile inputs = NpyFile.read(dir.resolve("inputs.npy"));
        int[] classes = NpyFile.read(dir.resolve("classes.npy")).asLabels();
        long[] shape = inputs.shape();
        int start = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int count = args.length > 5 ? Integer.parseInt(args[5]) : (int) shape[0] - start;
        int camBatch = args.length > 6 ? Integer.parseInt(args[6]) : 32;
        BenchProcess.configure(threads);
        float[] all = inputs.asFloats();
        int per = (int) (shape[1] * shape[2] * shape[3]);
        int h = (int) shape[2];
        int w = (int) shape[3];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Model model = Model.load(file)) {
            Cam cam = Cam.builder(model).setMethod(method).setLayers("layer4").optCamBatch(camBatch).build();
            try (PointerScope scope = new PointerScope()) {
                torch.manual_seed(0);
                Tensor warm = torch.randn(32, shape[1], h, w);
                model.predict(warm);
                model.predict(warm);
            }
            double wall = 0;
            double cpu = 0;
            for (int i = start; i < start + count; i++) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = Tensor.create(Arrays.copyOfRange(all, i * per, (i + 1) * per), 1, shape[1], h, w);
                    Target target = Target.perImage(List.of(CamTarget.logit(classes[i])));
                    long w0 = System.nanoTime();
                    long c0 = os.getProcessCpuTime();
                    List<CamResult> r = cam.explain(x, target);
                    wall += (System.nanoTime() - w0) / 1e9;
                    cpu += (os.getProcessCpuTime() - c0) / 1e9;
                    NpyWriter.writeFloat32(dir.resolve("ts_" + method + "_" + i + ".npy"), 1, h * w, r.get(0).map());
                }
            }
            System.out.printf(Locale.ROOT, "torchsight %s images %d seconds_per_image %.3f cpu_seconds_per_image %.3f "
                    + "peak_rss_mb %.0f threads %d%n", method, count, wall / count, cpu / count, hwmKb() / 1024.0,
                    Threads.libtorchThreads());
        }
    }

    /** The process's resident-memory high-water mark (VmHWM), in kB. */
    static long hwmKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
