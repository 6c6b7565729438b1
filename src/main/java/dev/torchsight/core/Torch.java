package dev.torchsight.core;

import java.io.IOException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads libtorch safely. On a cold JavaCPP cache the loader extracts and loads libtorch's libraries
 * one by one; the dynamic linker then resolves libtorch.so's dependency on libtorch_cpu.so before it
 * is extracted and may pick another libtorch installed on the system (e.g. Debian's python3-torch),
 * which crashes the JVM. Extracting the whole folder first keeps every dependency on the preset's own copy.
 * It also keeps OpenBLAS single-threaded, see {@link #ensureLoaded()}.
 */
public final class Torch {
    private static volatile boolean loaded;

    private Torch() {}

    /** Extracts libtorch's natives, loads them and applies the thread configuration. Idempotent. */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (Torch.class) {
            if (loaded) {
                return;
            }
            try {
                for (String preset : new String[] {"openblas", "pytorch"}) {
                    Loader.cacheResources("/org/bytedeco/" + preset + "/" + Loader.getPlatform() + "/");
                }
            } catch (IOException e) {
                throw new TorchsightException("cannot extract libtorch's native libraries to the JavaCPP cache ("
                        + e.getMessage() + "); check that ~/.javacpp/cache is writable or set -Dorg.bytedeco.javacpp.cachedir", e);
            }
            Loader.load(torch.class);
            // libtorch parallelises with OpenMP around its BLAS calls; the preset's OpenBLAS has its own
            // pthread pool whose workers busy-wait after each call and starve the OpenMP threads (on
            // 2 cores a small CNN ran 27x slower, t-SNE 35% slower). One BLAS thread per caller fixes it.
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(Integer.getInteger("torchsight.blasThreads", 1));
            loaded = true;
        }
    }
}
