package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.torchsight.io.NpyWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    private static CliRunner.Result run(String... args) {
        return CliRunner.run(args);
    }

    /** A bad input: exit 2, exactly one line on stderr containing the hint, and no output files. */
    private void assertRejected(String hint, String... args) throws IOException {
        Path plot = dir.resolve("plot.png");
        Path emb = dir.resolve("emb.csv");
        String[] all = new String[args.length + 5];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--out";
        all[args.length + 1] = plot.toString();
        all[args.length + 2] = "--embedding-out";
        all[args.length + 3] = emb.toString();
        all[args.length + 4] = "--quiet";
        CliRunner.Result r = run(prepend("tsne", all));
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line: " + r.err());
        assertTrue(lines[0].contains(hint), "expected '" + hint + "' in: " + lines[0]);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("plot")
                    || p.getFileName().toString().startsWith("emb")
                    || p.getFileName().toString().contains(".tmp")), "no partial output");
        }
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private Path npy(String name, int rows, int cols, long seed) throws IOException {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() + (i / cols % 3) * 8;
        }
        Path p = dir.resolve(name);
        NpyWriter.writeFloat32(p, rows, cols, v);
        return p;
    }

    @Test
    void missingInputFile() throws IOException {
        assertRejected("not found", "--input", dir.resolve("nope.npy").toString());
    }

    @Test
    void unknownInputFormat() throws IOException {
        Path p = dir.resolve("data.xyz");
        Files.writeString(p, "1 2 3");
        assertRejected("unknown input format", "--input", p.toString());
    }

    @Test
    void nonFiniteValueNamesTheRow() throws IOException {
        Path csv = dir.resolve("nan.csv");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sb.append(i == 17 ? "1,inf,3" : i + "," + (i * 2) + "," + (i % 7)).append('\n');
        }
        Files.writeString(csv, sb.toString());
        assertRejected("row 17", "--input", csv.toString());
    }

    @Test
    void tooFewRowsForThePerplexitySaysTheLargestValidOne() throws IOException {
        assertRejected("use --perplexity 6 or less", "--input", npy("small.npy", 20, 4, 1).toString());
    }

    @Test
    void labelCountMustMatchRowCount() throws IOException {
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "a\nb\nc\n");
        assertRejected("3 labels but the input has 100 rows", "--input", npy("x.npy", 100, 5, 2).toString(),
                "--labels", labels.toString());
    }

    @Test
    void exactMethodThatCannotFitNamesTheMethodToUse() throws IOException {
        assertRejected("--method", "--input", npy("big.npy", 60_000, 2, 3).toString(),
                "--method", "exact");
    }

    @Test
    void unknownOutputFormat() throws IOException {
        CliRunner.Result r = run("tsne", "--out", dir.resolve("plot.jpg").toString(), "--quiet", "--limit", "100");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("use a file name ending in .png or .svg"), r.err());
    }

    @Test
    void identicalRowsStillEmbedWithoutNaN() throws IOException {
        Path p = dir.resolve("same.npy");
        float[] v = new float[200 * 3];
        java.util.Arrays.fill(v, 4.5f);
        NpyWriter.writeFloat32(p, 200, 3, v);
        Path emb = dir.resolve("same.csv");
        CliRunner.Result r = run("tsne", "--input", p.toString(), "--out", dir.resolve("same.png").toString(),
                "--embedding-out", emb.toString(), "--quiet", "--iterations", "300");
        assertEquals(0, r.code(), r.err());
        var lines = Files.readAllLines(emb);
        assertEquals(201, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            for (String cell : line.split(",")) {
                assertTrue(Double.isFinite(Double.parseDouble(cell)), line);
            }
        }
    }

    @Test
    void defaultRunWritesPlotAndJsonEmbeddingOfTheEmbeddedData() throws IOException {
        Path png = dir.resolve("fm.png");
        Path json = dir.resolve("fm.json");
        CliRunner.Result r = run("tsne", "--limit", "500", "--out", png.toString(), "--embedding-out", json.toString(),
                "--dpi", "72", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("t-SNE of 500 points"), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth(), "900 pt at 72 dpi");
        assertEquals(760, image.getHeight());
        JsonObject doc = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(500, doc.getAsJsonArray("points").size());
        assertEquals("Ankle boot", doc.getAsJsonArray("points").get(0).getAsJsonObject().get("label").getAsString());
        assertTrue(doc.get("klDivergence").getAsDouble() > 0);
        // The SVG output is checked against the embedding, marker by marker, in OutputsTest.
        CliRunner.Result hi = run("tsne", "--limit", "300", "--out", dir.resolve("hi.png").toString(), "--quiet",
                "--iterations", "250", "--dpi", "144");
        assertEquals(0, hi.code(), hi.err());
        assertEquals(1800, ImageIO.read(dir.resolve("hi.png").toFile()).getWidth(), "144 dpi doubles the pixels");
    }

    @Test
    void imageFolderThroughAModelLayerEmbedsEveryImageWithFolderLabels() throws IOException {
        Path csv = dir.resolve("folder.csv");
        CliRunner.Result r = run("tsne", "--images", "src/test/resources/imagefolder/folder", "--model",
                "src/test/resources/gradcam/small_resnet_scripted.pt", "--layer", "layer3", "--size", "64", "--pool", "2",
                "--perplexity", "1", "--out", dir.resolve("folder.png").toString(), "--embedding-out", csv.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        var lines = Files.readAllLines(csv);
        assertEquals(6, lines.size());
        assertTrue(lines.get(1).endsWith(",Moth") && lines.get(5).endsWith(",zebra"), lines.toString());
        CliRunner.Result idx = run("tsne", "--idx", "src/main/resources/dev/torchsight/data/t10k-images-idx3-ubyte.gz",
                "--limit", "200", "--iterations", "250", "--out", dir.resolve("idx.png").toString(), "--embedding-out",
                dir.resolve("idx.csv").toString(), "--quiet");
        assertEquals(0, idx.code(), idx.err());
        assertTrue(Files.readAllLines(dir.resolve("idx.csv")).get(1).endsWith(",9"), "labels from the sibling IDX file");
        CliRunner.Result vectors = run("tsne", "--input", npy("v.npy", 50, 4, 1).toString(), "--model",
                "src/test/resources/gradcam/small_resnet_scripted.pt", "--quiet", "--out", dir.resolve("v.png").toString());
        assertEquals(2, vectors.code());
        assertTrue(vectors.err().contains("--model needs images"), vectors.err());
    }

    @Test
    void unknownDeviceIsRejected() throws IOException {
        assertRejected("use cpu, cuda or auto", "--device", "tpu");
    }

    @Test
    void cudaWithoutAUsableGpuSaysWhyAndRunsOnTheCpu() {
        String reason = dev.torchsight.tsne.Tsne.cudaUnavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason != null, "a GPU is usable here");
        Path png = dir.resolve("cuda.png");
        CliRunner.Result r = run("tsne", "--limit", "200", "--iterations", "100", "--device", "cuda", "--out",
                png.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertEquals("notice: t-SNE runs on the CPU: " + reason, r.err().strip());
        assertTrue(r.out().contains(" on CPU, "), r.out());
        assertTrue(Files.isRegularFile(png));
        CliRunner.Result auto = run("tsne", "--limit", "200", "--iterations", "100", "--out", png.toString(), "--quiet");
        assertEquals(0, auto.code(), auto.err());
        assertEquals("", auto.err().strip(), "auto falls back silently");
    }

    @Test
    void infoReportsVersionsThreadsAndBackends() {
        CliRunner.Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("native CPU library   loaded (OpenMP on)"), r.out());
        assertTrue(r.out().contains("threads              " + Runtime.getRuntime().availableProcessors()), r.out());
        assertTrue(r.out().contains("CUDA build"), r.out());
        assertFalse(r.out().contains("NOT loaded"), r.out());
    }
}
