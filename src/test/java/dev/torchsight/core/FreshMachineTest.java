package dev.torchsight.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fresh machine with another libtorch on the linker's path: each CLI command and each public class a
 * library user may touch first runs in its own JVM with an empty JavaCPP cache, with {@code LD_LIBRARY_PATH}
 * pointing at a folder of impostor libraries named like the presets' (libtorch_cpu.so, libtorch.so,
 * libc10.so, libopenblas.so.0, libgomp.so.1). An impostor that gets loaded prints a marker and ends the
 * process with code 99, so any run that resolves a preset dependency from the system fails here. (On the
 * build machine, Debian's python3-torch 1.13 in /usr/lib was also tried by hand: the same runs pass.)
 */
class FreshMachineTest {
    static final String MARKER = "IMPOSTOR-LIBRARY-LOADED";
    static final String MODEL = Path.of("src/test/resources/gradcam/small_resnet_scripted.pt").toAbsolutePath().toString();
    static final String IMAGE = Path.of("src/test/resources/imagefolder/folder/zebra/img1.jpg").toAbsolutePath().toString();
    static final String FOLDER = Path.of("src/test/resources/imagefolder/folder").toAbsolutePath().toString();

    @TempDir
    static Path dir;
    static Path impostors;

    @BeforeAll
    static void buildImpostors() throws Exception {
        impostors = dir.resolve("impostors");
        Files.createDirectories(impostors);
        Path source = dir.resolve("impostor.c");
        Files.writeString(source, "#include <stdio.h>\n#include <unistd.h>\n"
                + "__attribute__((constructor)) static void impostor(void) {\n"
                + "  fprintf(stderr, \"" + MARKER + "\\n\"); _exit(99);\n}\n");
        for (String soname : List.of("libtorch_cpu.so", "libtorch.so", "libc10.so", "libopenblas.so.0", "libgomp.so.1")) {
            Process cc = new ProcessBuilder(compiler(), "-x", "c", "-shared", "-fPIC", "-o", impostors.resolve(soname).toString(),
                    "-Wl,-soname," + soname, source.toString()).redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, cc.waitFor(), "compiling the impostor " + soname + ": " + log);
        }
    }

    /** The C compiler the native build uses (cppbuild.sh's CXX, default g++). */
    private static String compiler() {
        String cxx = System.getenv("CXX");
        return cxx == null || cxx.isBlank() ? "g++" : cxx;
    }

    record Run(int code, String out, String err) { }

    /** Runs {@code mainClass args} in a fresh JVM on an empty JavaCPP cache with the impostors on the path. */
    static Run fresh(String mainClass, String... args) throws IOException, InterruptedException {
        Path cache = Files.createTempDirectory(dir, "javacpp-cache");
        Path work = Files.createTempDirectory(dir, "work");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true", "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp", classPath(), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        pb.environment().put("LD_LIBRARY_PATH", impostors.toString());
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " " + String.join(" ", args) + " did not finish in 240 s");
        }
        Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        deleteCache(cache);
        try (Stream<Path> crashes = Files.list(work)) {
            assertFalse(crashes.anyMatch(f -> f.getFileName().toString().startsWith("hs_err")), "JVM crash log: " + run);
        }
        return run;
    }

    /** Deletes a JavaCPP cache (about 500 MB) without following its links into the system's CUDA folder. */
    static void deleteCache(Path cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** The upstream defect, without torchsight: the presets' loader resolves libtorch_cpu.so from the path. */
    @Test
    void thePresetsAloneLoadTheImpostor() throws Exception {
        Run run = fresh(FirstTouch.class.getName(), "presets-randn");
        assertNotEquals(0, run.code(), run.toString());
        assertTrue(run.err().contains(MARKER), "the impostor was loaded: " + run);
    }

    static Stream<Arguments> firstTouches() {
        return Stream.of(
                Arguments.of("workaround-randn", null, "OK "),
                Arguments.of("model-load", MODEL, "OK "),
                Arguments.of("tsne-fit", null, "OK 120"),
                Arguments.of("images-read", IMAGE, "OK "),
                Arguments.of("preprocessing", IMAGE, "OK [1, 3, 32, 32]"),
                Arguments.of("dataset", FOLDER, "OK 5 2"),
                Arguments.of("feature-extractor", MODEL, "OK [2, "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("firstTouches")
    void everyPublicFirstTouchLoadsThePresetsOwnLibraries(String touch, String file, String expected) throws Exception {
        Run run = file == null ? fresh(FirstTouch.class.getName(), touch) : fresh(FirstTouch.class.getName(), touch, file);
        assertEquals(0, run.code(), run.toString());
        assertFalse(run.err().contains(MARKER), run.toString());
        assertTrue(run.out().startsWith(expected), run.toString());
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of((Object) new String[] {"info"}),
                Arguments.of((Object) new String[] {"layers", MODEL, "--input-size", "32"}),
                Arguments.of((Object) new String[] {"gradcam", "--model", MODEL, "--image", IMAGE, "--size", "32", "--out", "cam", "--quiet"}),
                Arguments.of((Object) new String[] {"tsne", "--limit", "200", "--iterations", "250", "--out", "t.png", "--quiet"}),
                Arguments.of((Object) new String[] {"demo", "--limit", "100", "--epochs", "1", "--out", "demo", "--quiet"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyCommandRunsOnAFreshMachine(String[] args) throws Exception {
        Run run = fresh("dev.torchsight.cli.Main", args);
        assertEquals(0, run.code(), run.toString());
        assertFalse(run.err().contains(MARKER), run.toString());
    }
}
