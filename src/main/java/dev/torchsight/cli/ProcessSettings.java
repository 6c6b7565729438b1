package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Threads;

/**
 * The process-wide settings the CLI chooses for itself (the library never changes them on its own):
 * the native gate first, libtorch's threads at the machine's cores (a command's --threads overrides
 * it), and one OpenBLAS thread per caller. libtorch parallelises with OpenMP around
 * its BLAS calls; the preset's OpenBLAS has its own pthread pool whose workers busy-wait after each call
 * and starve the OpenMP threads (on 2 cores a small CNN ran 27x slower, t-SNE 35 % slower).
 */
final class ProcessSettings {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private ProcessSettings() {}

    /** Loads the natives and applies the settings; every CLI run starts from the same state. */
    static synchronized void apply() {
        Threads.configure(Threads.machineCores());
        org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(Integer.getInteger("torchsight.blasThreads", 1));
    }
}
