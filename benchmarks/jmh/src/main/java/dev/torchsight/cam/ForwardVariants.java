package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The ways Score-CAM's masked forward passes could run, timed round-robin in one process (so background
 * load hits all alike) on one batch: the tapped model under no-grad (what Score-CAM did), the same under
 * inference mode and with a channels-last input, and a fresh copy of the model file frozen
 * ({@code torch::jit::freeze}) and optimised for inference, with either input layout. Prints each
 * variant's median, its ratio to the first, the largest logit difference from it, and the copy's set-up time.
 * Usage: java -cp ... dev.torchsight.cam.ForwardVariants MODEL.pt [BATCH=32] [ROUNDS=3] [THREADS=2]
 */
public final class ForwardVariants {
    private ForwardVariants() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        BenchProcess.configure(args.length > 3 ? Integer.parseInt(args[3]) : 2);
        try (Model model = Model.load(file); PointerScope outer = new PointerScope()) {
            Cam.builder(model).setMethod("scorecam").setLayers("layer4").build();  // installs the tap
            torch.manual_seed(0);
            Tensor x = torch.randn(batch, 3, 224, 224);
            Tensor xLast = x.contiguous(torch.MemoryFormat.ChannelsLast);
            long t0 = System.nanoTime();
            JitModule loaded = torch.load(file.toString());
            loaded.eval();
            JitModule frozen = torch.freeze(loaded);
            long t1 = System.nanoTime();
            JitModule loaded2 = torch.load(file.toString());
            loaded2.eval();
            JitModule optimised = torch.optimize_for_inference(torch.freeze(loaded2));
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "set-up: load+freeze %.0f ms, load+freeze+optimize_for_inference %.0f ms%n",
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            Map<String, Supplier<Tensor>> variants = new LinkedHashMap<>();
            JitModule loaded3 = torch.load(file.toString());
            loaded3.eval();
            JitModule frozenOnly = torch.freeze(loaded3);
            JitModule loaded4 = torch.load(file.toString());
            loaded4.eval();
            JitModule optimisedLast = torch.optimize_for_inference(torch.freeze(loaded4));
            variants.put("tapped model, no-grad", () -> noGrad(() -> model.forward(x)));
            variants.put("tapped model, channels-last", () -> noGrad(() -> model.forward(xLast)));
            variants.put("tapped model, inference mode", () -> inference(() -> model.forward(x)));
            variants.put("frozen copy", () -> noGrad(() -> run(frozen, x)));
            variants.put("frozen copy, channels-last", () -> noGrad(() -> run(frozenOnly, xLast)));
            variants.put("frozen+optimised copy", () -> noGrad(() -> run(optimised, x)));
            variants.put("frozen+optimised copy, channels-last", () -> noGrad(() -> run(optimisedLast, xLast)));
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            for (var e : variants.entrySet()) {  // warm-up: the profiling executor optimises after two runs
                e.getValue().get();
                e.getValue().get();
                outputs.put(e.getKey(), e.getValue().get());
            }
            Map<String, double[]> times = new LinkedHashMap<>();
            variants.keySet().forEach(k -> times.put(k, new double[rounds]));
            for (int r = 0; r < rounds; r++) {
                for (var e : variants.entrySet()) {
                    try (PointerScope scope = new PointerScope()) {
                        long s = System.nanoTime();
                        e.getValue().get();
                        times.get(e.getKey())[r] = (System.nanoTime() - s) / 1e6;
                    }
                }
            }
            Tensor reference = outputs.values().iterator().next();
            double base = median(times.values().iterator().next());
            System.out.printf(Locale.ROOT, "ResNet forward, batch %d x 3 x 224 x 224, %d threads, median of %d rounds:%n",
                    batch, Threads.libtorchThreads(), rounds);
            for (var e : times.entrySet()) {
                double m = median(e.getValue());
                double diff = outputs.get(e.getKey()).sub(reference).abs().max().item_double();
                System.out.printf(Locale.ROOT, "  %-42s %8.0f ms  ratio %.3f  max |logit diff| %.2e%n", e.getKey(), m,
                        m / base, diff);
            }
        }
    }

    private static Tensor run(JitModule module, Tensor x) {
        IValueVector in = new IValueVector();
        in.push_back(new IValue(x));
        return module.forward(in).toTensor().clone();
    }

    private static Tensor noGrad(Supplier<Tensor> f) {
        try (NoGradGuard g = new NoGradGuard()) {
            return f.get();
        }
    }

    private static Tensor inference(Supplier<Tensor> f) {
        try (InferenceMode g = new InferenceMode()) {
            return f.get();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
