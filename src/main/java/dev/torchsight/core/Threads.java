package dev.torchsight.core;

import org.bytedeco.pytorch.global.torch;

/**
 * The thread count shared by libtorch and torchsight's native code. libtorch defaults to one
 * thread inside a JVM, so the first use configures it to the machine's cores.
 */
public final class Threads {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private static volatile int configured;

    private Threads() {}

    /** Cores the JVM may use. */
    public static int machineCores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The configured thread count, configuring the machine's cores on first use. */
    public static int current() {
        if (configured == 0) {
            configure(machineCores());
        }
        return configured;
    }

    /**
     * Sets libtorch's intra-op thread count and torchsight's native thread count.
     *
     * @param threads at least 1
     */
    public static synchronized void configure(int threads) {
        if (threads < 1) {
            throw new TorchsightException("thread count must be at least 1, got " + threads
                    + "; use --threads " + machineCores() + " (this machine's cores)");
        }
        Torch.ensureLoaded();
        torch.set_num_threads(threads);
        configured = threads;
    }
}
