package dev.torchsight.cam;

import dev.torchsight.core.Threads;
import dev.torchsight.model.Model;
import java.nio.file.Path;
import java.util.List;
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

/**
 * Grad-CAM at layer4 of a ResNet-shaped TorchScript model at 224x224 next to a plain no-grad forward
 * of the same model, same JVM. The model comes from benchmarks/gradcam/make_resnet.py
 * (-Dtorchsight.bench.models=DIR, default target/bench).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 6, time = 3)
public class GradCamLatencyBenchmark {
    @Param({"resnet18"})
    public String model;

    @Param({"1", "16"})
    public int batch;

    private Model forwardModel;
    private Model camModel;
    private Cam cam;
    private Tensor input;

    @Setup(Level.Trial)
    public void setUp() {
        Threads.configure(Threads.machineCores());
        Path file = Path.of(System.getProperty("torchsight.bench.models", "target/bench"), model + ".pt");
        forwardModel = Model.load(file);
        camModel = Model.load(file);
        cam = GradCam.at(camModel, "layer4");
        torch.manual_seed(0);
        input = torch.randn(batch, 3, 224, 224);
    }

    /** The baseline: logits only, no autograd. */
    @Benchmark
    public double forwardNoGrad() {
        try (PointerScope scope = new PointerScope()) {
            return forwardModel.predict(input).sum().item_double();
        }
    }

    /** Forward with the tap, gradient from the top-1 score back to layer4, maps resized and normalised. */
    @Benchmark
    public int gradCam() {
        List<CamResult> r = cam.explain(input, Target.topClass());
        return r.size();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        forwardModel.close();
        camModel.close();
        input.close();
    }
}
