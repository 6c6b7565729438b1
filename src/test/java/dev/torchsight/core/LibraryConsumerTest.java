package dev.torchsight.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.cam.CamResult;
import dev.torchsight.cam.Cam;
import dev.torchsight.cam.GradCam;
import dev.torchsight.cam.Target;
import dev.torchsight.io.Images;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.model.Model;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate Maven project (src/test/resources/consumer) depends on the installed artifact, as a JVM tool
 * would: it resolves its runtime classpath through Maven (so the library pom's dependencies, optional
 * markers and exclusions are what is tested), then runs Grad-CAM and t-SNE through the public API in a
 * fresh JVM on an empty JavaCPP cache. The artifact is this build's classes and pom, installed into the
 * local repository under a test-only version (as {@code mvn install} would, without touching the real one).
 */
class LibraryConsumerTest {
    static final String VERSION = "0.0.0-consumer-test";
    static final Path MODEL = Path.of("src/test/resources/gradcam/small_resnet_scripted.pt").toAbsolutePath();
    static final Path IMAGE = Path.of("src/test/resources/imagefolder/folder/zebra/img1.jpg").toAbsolutePath();
    /** Jars that must never reach a library user's runtime classpath. */
    static final List<String> FORBIDDEN = List.of("junit", "opentest4j", "apiguardian", "slf4j-simple", "logback",
            "slf4j-jdk14", "slf4j-reload4j", "log4j-slf4j", "picocli", "progressbar");

    @TempDir
    static Path dir;
    static Path project;

    @BeforeAll
    static void installArtifactAndCopyProject() throws IOException {
        Path repository = Path.of(System.getProperty("torchsight.localRepository",
                System.getProperty("user.home") + "/.m2/repository"));
        Path target = repository.resolve("dev/torchsight/torchsight/" + VERSION);
        Files.createDirectories(target);
        jar(Path.of("target/classes"), target.resolve("torchsight-" + VERSION + ".jar"));
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher own = Pattern.compile("(<artifactId>torchsight</artifactId>\\s*<version>)([^<]+)(</version>)").matcher(pom);
        assertTrue(own.find(), "the project's own version in pom.xml");
        Files.writeString(target.resolve("torchsight-" + VERSION + ".pom"), own.replaceFirst("$1" + VERSION + "$3"));
        project = dir.resolve("consumer");
        Path source = Path.of("src/test/resources/consumer");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path copy = project.resolve(source.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.writeString(copy, Files.readString(file).replace("@TORCHSIGHT_VERSION@", VERSION));
            }
        }
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }

    /** Builds the consumer and runs its App with Maven's runtime classpath in a fresh JVM on an empty cache. */
    private static List<String> runConsumer(String... args) throws Exception {
        Path cache = Files.createTempDirectory(dir, "javacpp-cache");
        String mavenHome = System.getProperty("torchsight.mavenHome", "");
        String mvn = mavenHome.isBlank() ? "mvn" : Path.of(mavenHome, "bin", "mvn").toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String execArgs = "-Xmx2g -Dorg.bytedeco.javacpp.cachedir=" + cache + " -classpath %classpath example.App "
                + String.join(" ", args);
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-q", "-Dstyle.color=never", "-f", project.resolve("pom.xml").toString()));
        String repository = System.getProperty("torchsight.localRepository");
        if (repository != null && !repository.isBlank()) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        command.addAll(List.of("compile", "exec:exec", "-Dexec.executable=" + java, "-Dexec.args=" + execArgs));
        Path log = dir.resolve("consumer-" + args[0] + ".log");
        Process p = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the consumer build finished");
        String output = Files.readString(log, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
        FreshMachineTest.deleteCache(cache);
        assertEquals(0, p.exitValue(), output);
        return output.lines().toList();
    }

    private static String line(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in " + lines));
    }

    private static void assertCleanClasspath(List<String> lines) {
        List<String> entries = Arrays.asList(line(lines, "classpath ").substring("classpath ".length()).split(java.io.File.pathSeparator));
        assertTrue(entries.stream().anyMatch(e -> e.contains("torchsight-" + VERSION)), "the installed artifact: " + entries);
        assertTrue(entries.stream().anyMatch(e -> e.contains("slf4j-api")), "slf4j-api is the one logging dependency: " + entries);
        for (String forbidden : FORBIDDEN) {
            assertFalse(entries.stream().anyMatch(e -> Path.of(e).getFileName().toString().contains(forbidden)),
                    forbidden + " on the consumer's runtime classpath: " + entries);
        }
    }

    @Test
    void preprocessingFirstThenGradCamAndTsneThroughThePublicApi() throws Exception {
        List<String> lines = runConsumer("preprocessing-first", IMAGE.toString(), MODEL.toString());
        assertCleanClasspath(lines);
        // The same Grad-CAM in this JVM: the consumer's map must be this one.
        CamResult expected;
        try (Mat image = Images.read(IMAGE); Tensor batch = Preprocessing.imagenet(64).batch(List.of(image));
             Model model = Model.load(MODEL)) {
            expected = GradCam.at(model, "layer4").explain(batch, Target.topClass()).get(0);
        }
        double sum = 0;
        for (float v : expected.map()) {
            sum += v;
        }
        Matcher cam = Pattern.compile("gradcam class (\\d+) map (\\d+)x(\\d+) sum ([0-9.]+)").matcher(line(lines, "gradcam "));
        assertTrue(cam.matches());
        assertEquals(expected.classIndex(), Integer.parseInt(cam.group(1)));
        assertEquals(64, Integer.parseInt(cam.group(2)));
        assertEquals(64, Integer.parseInt(cam.group(3)));
        assertTrue(sum > 0, "a non-empty map");
        assertEquals(sum, Double.parseDouble(cam.group(4)), 1e-3 * Math.max(1, sum), "map sum, consumer vs this JVM");
        Matcher tsne = Pattern.compile("tsne points (\\d+) kl ([0-9.]+)").matcher(line(lines, "tsne "));
        assertTrue(tsne.matches());
        assertEquals(90, Integer.parseInt(tsne.group(1)));
        double kl = Double.parseDouble(tsne.group(2));
        assertTrue(kl > 0 && kl < 2, "KL of three well separated clusters: " + kl);
    }

    @Test
    void theReadmeWorkaroundLetsACallerUseJavaCppFirst() throws Exception {
        List<String> lines = runConsumer("workaround-randn");
        assertEquals("randn 9", line(lines, "randn "));
        assertCleanClasspath(lines);
    }
}
