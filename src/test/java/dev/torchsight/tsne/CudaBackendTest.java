package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.torchsight.core.Device;
import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.Threads;
import dev.torchsight.core.internal.TorchsightNative;
import dev.torchsight.io.FloatMatrix;
import java.io.File;
import java.util.Random;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend from Java: that the kernels are in the library wherever nvcc was present at build time,
 * the CPU fallback (with its reason) where no GPU is usable, and, where one is, CUDA against the CPU.
 */
class CudaBackendTest {
    private static final int THREADS = 2;

    private static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, "nvcc").canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void kernelsAreBuiltWhereverNvccIs() {
        boolean expected = nvccOnPath() && System.getenv("TORCHSIGHT_NO_CUDA") == null;
        assertEquals(expected, NativeLibrary.cudaKernelsBuilt(),
                "nvcc on PATH = " + nvccOnPath() + " but libtorchsight says kernels built = "
                        + NativeLibrary.cudaKernelsBuilt());
        if (!expected) {
            assertTrue(Tsne.cudaUnavailableReason().contains("no CUDA kernels"), Tsne.cudaUnavailableReason());
        }
        // The session entry points are the compiled .cu ones, not the CPU-only stubs: asked to start where no
        // GPU is usable, they fail with the CUDA runtime's own reason.
        if (expected && NativeLibrary.cudaDeviceCount() == 0) {
            FloatMatrix data = Clusters.gaussian(50, 4, 2, 1);
            Threads.current();
            try (PointerScope scope = new PointerScope()) {
                Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
                try (NearestNeighbors knn = NearestNeighbors.search(x, 10, THREADS);
                     SparseAffinities p = SparseAffinities.fromNeighbors(knn, 3, THREADS);
                     DoublePointer y = new DoublePointer(100);
                     org.bytedeco.javacpp.BytePointer error = new org.bytedeco.javacpp.BytePointer(512)) {
                    TorchsightNative.TsneCudaSession session = TorchsightNative.tsne_cuda_create(0, p.rowPtr, p.cols,
                            p.vals, p.n, y, TorchsightNative.TSNE_CUDA_AUTO, 0.5, error, 512);
                    assertTrue(session == null || session.isNull(), "no session without a GPU");
                    String reason = error.getString();
                    assertTrue(reason.startsWith("cudaGetDeviceCount: ") || reason.contains("does not exist"), reason);
                }
            }
        }
    }

    @Test
    void withoutAUsableGpuCudaRunsOnTheCpuAndSaysWhy() {
        String reason = Tsne.cudaUnavailableReason();
        assumeTrue(reason != null, "a GPU is usable here; the fallback cannot be observed");
        FloatMatrix data = Clusters.gaussian(300, 10, 3, 5);
        Tsne.Builder builder = Tsne.builder().optIterations(120).optThreads(THREADS).optSeed(3);
        Embedding onCpu = builder.optDevice(Device.CPU).build().fit(data, TsneProgress.NONE);
        Embedding asked = builder.optDevice(Device.CUDA).build().fit(data, TsneProgress.NONE);
        assertTrue(asked.backend().startsWith("CPU"), asked.backend());
        assertArrayEquals(onCpu.coordinates(), asked.coordinates(), 0.0, "the same CPU run");
    }

    @Test
    void cudaGradientAndFitMatchTheCpuWhereAGpuIsUsable() {
        assumeTrue(Tsne.cudaUnavailableReason() == null, "no usable GPU here: " + Tsne.cudaUnavailableReason());
        FloatMatrix data = Clusters.gaussian(3000, 20, 6, 21);
        Threads.current();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensor.create(data.values(), data.rows(), data.cols());
            try (NearestNeighbors knn = NearestNeighbors.search(x, 91, THREADS);
                 SparseAffinities p = SparseAffinities.fromNeighbors(knn, 30, THREADS)) {
                Random r = new Random(1);
                double[] y = new double[6000];
                for (int i = 0; i < y.length; i++) {
                    y[i] = r.nextGaussian() * 5;
                }
                double[] cpu;
                try (DoublePointer yp = new DoublePointer(y); DoublePointer grad = new DoublePointer(y.length)) {
                    new CpuGradientBackend(p, TsneMethod.EXACT, 0, THREADS).gradient(yp, 4, grad);
                    cpu = new double[y.length];
                    grad.get(cpu);
                }
                for (int repulsion : new int[] {TorchsightNative.TSNE_CUDA_EXACT_TILES, TorchsightNative.TSNE_CUDA_TREE}) {
                    try (CudaSession session = CudaSession.open(p, y, repulsion, 0)) {
                        double[] gpu = session.gradient(4);
                        double num = 0;
                        double den = 0;
                        for (int i = 0; i < y.length; i++) {
                            num += (gpu[i] - cpu[i]) * (gpu[i] - cpu[i]);
                            den += cpu[i] * cpu[i];
                        }
                        assertTrue(Math.sqrt(num / den) < 1e-4, "repulsion " + repulsion + ": " + Math.sqrt(num / den));
                    }
                }
            }
        }
        Tsne.Builder builder = Tsne.builder().optThreads(THREADS).optSeed(3).optMethod(TsneMethod.BARNES_HUT);
        Embedding cpu = builder.optDevice(Device.CPU).build().fit(data, TsneProgress.NONE);
        Embedding gpu = builder.optDevice(Device.CUDA).build().fit(data, TsneProgress.NONE);
        assertTrue(gpu.backend().startsWith("CUDA"), gpu.backend());
        assertEquals(cpu.klDivergence(), gpu.klDivergence(), 0.05 * cpu.klDivergence(), "final KL");
    }
}
