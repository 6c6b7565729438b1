package dev.torchsight.tsne;

import dev.torchsight.core.Threads;
import dev.torchsight.io.EmbeddedData;
import dev.torchsight.io.FloatMatrix;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
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
 * One t-SNE gradient step at N = 10,000 (Fashion-MNIST test images, PCA-50, perplexity 30), on the
 * embedding a full run reaches after 500 iterations: exact (all pairs) vs Barnes-Hut (theta 0.5).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GradientStepBenchmark {
    @Param({"BARNES_HUT", "EXACT"})
    public TsneMethod method;

    @Param({"10000"})
    public int n;

    private SparseAffinities p;
    private CpuGradientBackend backend;
    private DoublePointer y;
    private DoublePointer grad;

    @Setup(Level.Trial)
    public void setUp() {
        int threads = Threads.machineCores();
        Threads.configure(threads);
        FloatMatrix images = EmbeddedData.fashionMnistImages(n);
        double[] embedding = Tsne.builder().optMethod(TsneMethod.BARNES_HUT).optIterations(500).build()
                .fit(images, TsneProgress.NONE).coordinates();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Pca.project(Tensor.create(images.values(), images.rows(), images.cols()), 50);
            try (NearestNeighbors knn = NearestNeighbors.search(x, 91, threads)) {
                p = SparseAffinities.fromNeighbors(knn, 30, threads);
            }
        }
        backend = new CpuGradientBackend(p, method, 0.5, threads);
        y = new DoublePointer(embedding);
        grad = new DoublePointer(embedding.length);
    }

    @Benchmark
    public double gradientStep() {
        return backend.gradient(y, 1.0, grad);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        p.close();
        y.close();
        grad.close();
    }
}
