package dev.torchsight.core;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/** Where a model runs. */
public enum Device {
    /** The CPU, with libtorch's thread count as the process has it (see {@link Threads}); always available. */
    CPU,
    /** The first CUDA GPU; needs a CUDA build of libtorch (see README) and a usable GPU. */
    CUDA;

    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Parses cpu, cuda, or auto (CUDA when libtorch sees a usable GPU, else CPU) for running models. */
    public static Device parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            case "auto" -> torchCudaAvailable() ? CUDA : CPU;
            default -> throw new TorchsightException(TorchsightException.Kind.DEVICE, text,
                    "unknown device '" + text + "'; use cpu, cuda or auto");
        };
    }

    /** True when libtorch can run models on a GPU here (a CUDA build of libtorch and a usable device). */
    public static boolean torchCudaAvailable() {
        return torch.cuda_is_available();
    }

    /** Fails with a clear message when this device cannot be used here. */
    public void requireUsable() {
        if (this == CUDA) {
            if (!torchCudaAvailable()) {
                throw new TorchsightException(TorchsightException.Kind.DEVICE, this, "CUDA was requested but libtorch "
                        + "sees no usable GPU (the default build is CPU-only; see README 'GPU'); run on the CPU");
            }
        }
    }

    /** The libtorch device. */
    public org.bytedeco.pytorch.Device toTorch() {
        return new org.bytedeco.pytorch.Device(this == CUDA ? torch.DeviceType.CUDA : torch.DeviceType.CPU);
    }
}
