package dev.torchsight.core;

import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/** Loads torchsight's own native library once and reports what it was built with. */
public final class NativeLibrary {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static volatile Throwable failure;

    private NativeLibrary() {}

    /** Loads the library (once); throws a {@link TorchsightException} naming the cause when it cannot. */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (!loaded && failure == null) {
                try {
                    Loader.load(TorchsightNative.class);
                    loaded = true;
                } catch (Throwable t) {
                    failure = t;
                }
            }
        }
        if (!loaded) {
            throw new TorchsightException("torchsight's native library could not be loaded (" + failure
                    + "); rebuild with `mvn package` so the jar carries libtorchsight.so", failure);
        }
    }

    /** True when the native library is loaded or loads now. */
    public static boolean isAvailable() {
        try {
            ensureLoaded();
            return true;
        } catch (TorchsightException e) {
            return false;
        }
    }

    /** True when the native code was compiled with OpenMP. */
    public static boolean openMpEnabled() {
        ensureLoaded();
        return TorchsightNative.tsne_openmp_enabled() == 1;
    }

    /** True when the library was built with nvcc (its CUDA code is linked in). */
    public static boolean cudaKernelsBuilt() {
        ensureLoaded();
        return TorchsightNative.cuda_kernels_built() == 1;
    }

    /** Number of CUDA devices the kernels can use (0 without kernels, driver or GPU). */
    public static int cudaDeviceCount() {
        ensureLoaded();
        return TorchsightNative.cuda_device_count();
    }

    /** CUDA runtime version as "major.minor", or null without kernels. */
    public static String cudaRuntimeVersion() {
        ensureLoaded();
        int v = TorchsightNative.cuda_runtime_version();
        return v == 0 ? null : (v / 1000) + "." + (v % 1000) / 10;
    }

    /** Name and compute capability of a CUDA device, or null when it cannot be queried. */
    public static String cudaDeviceName(int device) {
        ensureLoaded();
        try (BytePointer buffer = new BytePointer(256)) {
            return TorchsightNative.cuda_device_name(device, buffer, 256) == 1 ? buffer.getString() : null;
        }
    }
}
