package dev.torchsight.core;

import dev.torchsight.core.TorchsightException.Kind;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.Loader;

/**
 * The one gate every native path goes through: libtorch, OpenBLAS, OpenCV and FFTW from the JavaCPP presets.
 * Every torchsight class that touches a JavaCPP class calls {@link #ensureLoaded()} in its static
 * initialiser, so no entry point can load a native library before this has run.
 *
 * <p>Why a gate: on a cold JavaCPP cache the presets' loader extracts and loads libraries one by one and
 * loads {@code libtorch.so} before {@code libtorch_cpu.so} is extracted next to it. The dynamic linker then
 * resolves {@code libtorch.so}'s dependency on {@code libtorch_cpu.so} from the system's search path; where
 * another libtorch is installed (Debian's {@code python3-torch}, a {@code LD_LIBRARY_PATH} entry) both
 * builds end up in one process and the JVM crashes. The gate makes the order irrelevant: it extracts every
 * library the presets will need, reads each one's ELF {@code DT_NEEDED} list, and loads them by full path
 * in dependency order (dependencies first). Afterwards every dependency the linker looks up by name is
 * already loaded under that name, so nothing is ever resolved from the system's path.
 *
 * <p>A program that calls JavaCPP itself (e.g. {@code torch.randn}) before any torchsight class triggers
 * the presets' loader before this gate can run; such a program calls {@code Natives.ensureLoaded()} as its
 * first line. The gate changes no process-wide settings (threads, seeds): it only loads libraries.
 */
public final class Natives {
    /** JNI libraries the presets load for the classes torchsight uses: the roots of the dependency walk. */
    private static final String[] ROOTS = {
        "openblas:libjniopenblas_nolapack.so", "openblas:libjniopenblas.so",
        "pytorch:libtorch.so", "pytorch:libjnitorch.so",
        "opencv:libjniopencv_core.so", "opencv:libjniopencv_imgproc.so", "opencv:libjniopencv_imgcodecs.so",
        // Single-precision FFTW for the FFT repulsion: libtorchsight finds it in the process (no JNI part used).
        "fftw:libfftw3f.so.3",
    };
    /** Preset folders searched for dependencies, in this order (CUDA ones only exist with the gpu profile). */
    private static final String[] PRESETS = {"openblas", "pytorch", "opencv", "fftw", "cuda"};

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static volatile TorchsightException failure;

    private Natives() {}

    /**
     * Extracts and loads the presets' native libraries in dependency order, then lets the presets
     * initialise their JNI bindings. Idempotent and thread-safe; cheap after the first call.
     *
     * @throws TorchsightException (kind {@link Kind#NATIVE}) when the libraries cannot be extracted or loaded
     */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                preloadInDependencyOrder();
                Loader.load(org.bytedeco.pytorch.global.torch.class);
                Loader.load(org.bytedeco.opencv.global.opencv_core.class);
                Loader.load(org.bytedeco.opencv.global.opencv_imgproc.class);
                Loader.load(org.bytedeco.opencv.global.opencv_imgcodecs.class);
                loaded = true;
            } catch (IOException e) {
                failure = new TorchsightException(Kind.NATIVE, cacheDirName(), "cannot extract the native libraries to "
                        + "the JavaCPP cache " + cacheDirName() + " (" + e.getMessage() + "); make it writable or "
                        + "choose another with -Dorg.bytedeco.javacpp.cachedir=DIR", e);
                throw failure;
            } catch (RuntimeException | LinkageError e) {
                failure = new TorchsightException(Kind.NATIVE, null, "cannot load the native libraries (" + e
                        + "); check the JavaCPP cache " + cacheDirName() + " or clear it", e);
                throw failure;
            }
        }
    }

    /** True once the gate has loaded the libraries. */
    public static boolean isLoaded() {
        return loaded;
    }

    private static String cacheDirName() {
        try {
            return String.valueOf(Loader.getCacheDir());
        } catch (IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    private static void preloadInDependencyOrder() throws IOException {
        if (Boolean.parseBoolean(System.getProperty("org.bytedeco.javacpp.pathsFirst", "false"))) {
            return;  // the caller chose libraries from java.library.path (e.g. an official LibTorch): load those
        }
        // The variant JavaCPP itself will load: linux-x86_64, or linux-x86_64-gpu with the platform extension set.
        // Presets without that variant (OpenCV, OpenBLAS, CUDA) keep the plain platform folder.
        String platform = Loader.getPlatform();
        String variant = platform + System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        List<String> variants = variant.equals(platform) ? List.of(platform) : List.of(variant, platform);
        List<String> folders = new ArrayList<>();
        for (String preset : PRESETS) {
            for (String v : variants) {
                folders.add("/org/bytedeco/" + preset + "/" + v + "/");
            }
        }
        Set<String> done = new LinkedHashSet<>();
        List<File> order = new ArrayList<>();
        for (String root : ROOTS) {
            String preset = root.substring(0, root.indexOf(':'));
            String name = root.substring(root.indexOf(':') + 1);
            for (String v : variants) {
                String resource = "/org/bytedeco/" + preset + "/" + v + "/" + name;
                if (Natives.class.getResource(resource) != null) {
                    visit(name, resource, folders, done, order, true);
                    break;
                }
            }
        }
        for (File library : order) {
            try {
                System.load(library.getAbsolutePath());
            } catch (UnsatisfiedLinkError e) {
                // A library the machine cannot load (e.g. a CUDA one without a driver): the presets'
                // loader reports it, or skips it where it is optional, exactly as without this gate.
            }
        }
    }

    /** Depth-first: extracts {@code name}, visits the dependencies found in the preset folders, then adds it. */
    private static void visit(String name, String resource, List<String> folders, Set<String> done, List<File> order,
                              boolean root) throws IOException {
        if (!done.add(name)) {
            return;
        }
        File file = Loader.cacheResource(Natives.class, resource);
        for (String needed : ElfDependencies.needed(file.toPath())) {
            for (String folder : folders) {
                String dep = folder + needed;
                URL url = Natives.class.getResource(dep);
                if (url != null) {
                    visit(needed, dep, folders, done, order, false);
                    break;
                }
            }
        }
        // JNI libraries are left to the presets' loader, which registers their classes.
        if (!root || !name.startsWith("libjni")) {
            order.add(file);
        }
    }
}
