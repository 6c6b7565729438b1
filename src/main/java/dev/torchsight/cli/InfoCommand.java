package dev.torchsight.cli;

import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.Threads;
import dev.torchsight.core.Versions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code torchsight info}: versions, threads, and which native backends are usable here. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print versions, threads and which native backends (CPU, CUDA) are usable.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        row(out, "torchsight", Versions.torchsight());
        row(out, "libtorch", Versions.libtorch());
        row(out, "OpenCV", Versions.opencv());
        row(out, "JavaCPP", Versions.javacpp());
        row(out, "threads", Threads.current() + " (machine cores: " + Threads.machineCores() + ")");
        boolean loaded = NativeLibrary.isAvailable();
        row(out, "native CPU library", loaded ? "loaded (OpenMP " + (NativeLibrary.openMpEnabled() ? "on" : "off") + ")"
                : "NOT loaded: rebuild with mvn package");
        if (loaded && NativeLibrary.cudaKernelsBuilt()) {
            String runtime = NativeLibrary.cudaRuntimeVersion();
            row(out, "CUDA build", "compiled with nvcc (CUDA runtime " + (runtime == null ? "unknown" : runtime)
                    + ", static): t-SNE kernels for sm_75-sm_90 + PTX");
            int devices = NativeLibrary.cudaDeviceCount();
            row(out, "GPU", devices == 0 ? "none usable (no NVIDIA driver or device)"
                    : devices + " usable: " + NativeLibrary.cudaDeviceName(0));
        } else {
            row(out, "CUDA build", "none (nvcc was not on PATH when the project was built)");
            row(out, "GPU", "not queried without a CUDA build");
        }
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-20s %s%n", key, value);
    }
}
