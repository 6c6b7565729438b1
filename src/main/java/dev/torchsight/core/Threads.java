package dev.torchsight.core;

import dev.torchsight.core.TorchsightException.Kind;
import org.bytedeco.pytorch.global.torch;

/**
 * Thread counts. torchsight changes libtorch's process-wide intra-op thread count only when asked,
 * through {@link #configure}; no other call does. libtorch's operations (model forward passes, PCA,
 * neighbour search) run with whatever count the process has; torchsight's own native code (t-SNE
 * affinities and gradients) takes its count per call, by default {@link #current()}.
 *
 * <p>libtorch starts with one thread per physical core, or one inside some JVMs; a tool that wants
 * all cores for libtorch calls {@code Threads.configure(Threads.machineCores())} once at start-up,
 * as the command line does.
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

    /**
     * The thread count for torchsight's own native code: the last {@link #configure} value, else the
     * machine's cores. Reading it changes nothing.
     */
    public static int current() {
        int n = configured;
        return n > 0 ? n : machineCores();
    }

    /** libtorch's process-wide intra-op thread count as it is now. */
    public static int libtorchThreads() {
        return torch.get_num_threads();
    }

    /**
     * Sets libtorch's process-wide intra-op thread count and torchsight's default native thread
     * count ({@link #current()}) to {@code threads}. The only torchsight call that changes libtorch's
     * count.
     *
     * @param threads at least 1
     * @throws TorchsightException of kind {@link Kind#THREADS} when {@code threads} is below 1
     */
    public static synchronized void configure(int threads) {
        if (threads < 1) {
            throw new TorchsightException(Kind.THREADS, threads, "thread count must be at least 1, got " + threads
                    + "; this machine has " + machineCores() + " cores");
        }
        torch.set_num_threads(threads);
        configured = threads;
    }
}
