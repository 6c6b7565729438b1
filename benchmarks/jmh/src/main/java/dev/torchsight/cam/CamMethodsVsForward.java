package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Every CAM method that needs one forward pass (the gradient methods, Eigen-CAM, KPCA-CAM) at layer4 of
 * ResNet-34 at 224x224, batch 1 and 16, next to the plain no-grad forward of the same model ({@code method
 * = forward}); one JMH run. {@link #main} runs it and prints each method's ratio to the forward of the same
 * batch size, with the bar for gradient methods at batch 1 (<= 1.10). The model comes from
 * benchmarks/gradcam/make_resnet.py (-Dtorchsight.bench.models=DIR, default target/bench); libtorch
 * threads: -Dtorchsight.bench.threads (default: the machine's cores).
 * Usage: java -cp ... dev.torchsight.cam.CamMethodsVsForward [JMH options, e.g. -p batch=1 -wi 1 -i 3]
 * (CamMethodsInterleaved measures the same call by call in one process, steadier on a loaded machine.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
public class CamMethodsVsForward {
    /** The methods with one forward pass that use gradients (the bar applies to these). */
    static final List<String> GRADIENT_METHODS = List.of("gradcam", "hirescam", "gradcam-elementwise", "gradcam++",
            "xgradcam", "layercam", "shapleycam", "finercam", "eigengradcam");

    @Param({"resnet34"})
    public String model;

    @Param({"forward", "gradcam", "hirescam", "gradcam-elementwise", "gradcam++", "xgradcam", "layercam",
            "shapleycam", "finercam", "eigengradcam", "eigencam", "kpcacam"})
    public String method;

    @Param({"1", "16"})
    public int batch;

    private Model loaded;
    private Cam cam;
    private Tensor input;

    @Setup(Level.Trial)
    public void setUp() {
        BenchProcess.configure(Integer.getInteger("torchsight.bench.threads", Threads.machineCores()));
        Path file = Path.of(System.getProperty("torchsight.bench.models", "target/bench"), model + ".pt");
        loaded = Model.load(file);
        cam = method.equals("forward") ? null
                : Cam.builder(loaded).setMethod(method).setLayers("layer4").build();
        torch.manual_seed(0);
        input = torch.randn(batch, 3, 224, 224);
    }

    /** The forward baseline (logits only, no autograd, untapped model), or the method's maps for the batch. */
    @Benchmark
    public double run() {
        if (cam == null) {
            try (PointerScope scope = new PointerScope()) {
                return loaded.predict(input).sum().item_double();
            }
        }
        return cam.explain(input, Target.topClass()).get(0).mean();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
        input.close();
    }

    /** Runs the benchmark (JMH options pass through) and prints each method's ratio to the forward. */
    public static void main(String[] args) throws RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        var options = new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(CamMethodsVsForward.class.getName() + ".run").build();
        Collection<RunResult> results = new Runner(options).run();
        Map<Integer, Map<String, Double>> byBatch = new LinkedHashMap<>();
        for (RunResult r : results) {
            int b = Integer.parseInt(r.getParams().getParam("batch"));
            byBatch.computeIfAbsent(b, k -> new LinkedHashMap<>())
                    .put(r.getParams().getParam("method"), r.getPrimaryResult().getScore());
        }
        printRatios(byBatch, "JMH average");
    }

    /** The ratio table: per batch size, each method's milliseconds and its ratio to the forward's. */
    static void printRatios(Map<Integer, Map<String, Double>> msByBatch, String statistic) {
        boolean met = true;
        for (var e : msByBatch.entrySet()) {
            Double forward = e.getValue().get("forward");
            if (forward == null) {
                continue;
            }
            System.out.printf(Locale.ROOT, "%nbatch %d (%s): forward %.1f ms%n", e.getKey(), statistic, forward);
            for (var m : e.getValue().entrySet()) {
                if (m.getKey().equals("forward")) {
                    continue;
                }
                double ratio = m.getValue() / forward;
                boolean gradient = GRADIENT_METHODS.contains(m.getKey());
                String bar = "";
                if (gradient && e.getKey() == 1) {
                    bar = ratio <= 1.10 ? "  (<= 1.10: met)" : "  (<= 1.10: MISSED)";
                    met &= ratio <= 1.10;
                }
                System.out.printf(Locale.ROOT, "  %-20s %9.1f ms  ratio %.3f%s%n", m.getKey(), m.getValue(), ratio, bar);
            }
        }
        if (msByBatch.containsKey(1)) {
            System.out.println(met ? "bar met: every gradient method at batch 1 within 1.10 x the forward"
                    : "bar MISSED for at least one gradient method at batch 1");
        }
    }
}
