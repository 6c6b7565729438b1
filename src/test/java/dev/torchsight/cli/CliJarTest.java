package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar in its own JVM, where native libraries write straight to file descriptor 2: stderr must
 * still hold exactly one line for a bad input (no OpenCV or libpng chatter, no progress bar, no trace).
 * It runs {@code Main} on this build's classpath (the same classes and natives the jar bundles), so it
 * always tests the current code, also in {@code mvn test} where no jar exists yet.
 */
class CliJarTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) { }

    private static Run java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        // read both streams while waiting, so a full pipe cannot stall the child
        var outText = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(out));
        var errText = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(err));
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("hangs: " + command);
        }
        return new Run(p.exitValue(), outText.get(), errText.get());
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private void assertOneLine(Run r, Path work) throws IOException {
        assertEquals(2, r.code(), r.err());
        String[] lines = r.err().split("\\R", -1);
        assertEquals(2, lines.length, "one line: " + r.err());
        assertTrue(lines[0].startsWith("torchsight: error: "), r.err());
        try (Stream<Path> s = Files.walk(work)) {
            assertEquals(1, s.count(), "nothing written");
        }
    }

    @Test
    void badInputsInASeparateJvmPrintOneLineAndWriteNothing() throws Exception {
        Path images = dir.resolve("images");
        Path good = CliFixtures.image(images.resolve("class/a.png"), 30, 30, 1);
        Path truncated = Files.write(dir.resolve("truncated.png"), java.util.Arrays.copyOf(Files.readAllBytes(good), 100));
        Path huge = Files.write(dir.resolve("huge.png"), CliFixtures.pngDeclaring(60000, 60000));
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.copy(truncated, bad.resolve("truncated.png"));
        Files.copy(huge, bad.resolve("huge.png"));
        Path work = Files.createDirectories(dir.resolve("work"));
        String[][] cases = {
            {"tsne", "--images", images.toString(), "--batch-size", "0", "--out", work + "/p.png"},
            {"tsne", "--images", images.toString(), "--size", "100000", "--out", work + "/p.png"},
            {"gradcam", "--model", CliFixtures.MODEL, "--image", truncated.toString(), "--out", work + "/o"},
            {"gradcam", "--model", CliFixtures.MODEL, "--image", huge.toString(), "--out", work + "/o"},
            {"gradcam", "--model", CliFixtures.MODEL, "--image", bad.toString(), "--size", "32", "--out", work + "/o"},
            {"tsne", "--input", truncated.toString(), "--out", work + "/p.png"},
        };
        for (String[] c : cases) {
            Run r = java(c);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertOneLine(r, work);
        }
    }

    @Test
    void aFolderWithBrokenImagesRunsQuietlyAndListsThem() throws Exception {
        Path images = dir.resolve("images");
        Path good = CliFixtures.image(images.resolve("a.png"), 30, 30, 1);
        Files.write(images.resolve("truncated.png"), java.util.Arrays.copyOf(Files.readAllBytes(good), 100));
        Files.write(images.resolve("huge.png"), CliFixtures.pngDeclaring(60000, 60000));
        Files.write(images.resolve("huge.jpg"), CliFixtures.jpegDeclaring(60000, 60000));
        for (String ext : new String[] {"jpg", "bmp", "tif", "webp", "ppm"}) {
            Path whole = CliFixtures.image(dir.resolve("whole." + ext), 64, 64, 7);
            byte[] bytes = Files.readAllBytes(whole);
            Files.write(images.resolve("half." + ext), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        }
        Path out = dir.resolve("out");
        Run r = java("gradcam", "--model", CliFixtures.MODEL, "--image", images.toString(), "--size", "32", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "no native chatter and no progress bar when stderr is not a terminal");
        var report = CliOutputsTest.strictJson(out.resolve("report.json"));
        assertEquals(1, report.get("images").getAsInt(), report.toString());
        assertEquals(8, report.get("skippedCount").getAsInt(), "3 bad and 5 half files: " + report.get("skipped"));
    }
}
