package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import dev.torchsight.io.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI writes: unique names, skipped files with reasons, valid JSON, all outputs or none. */
class CliOutputsTest {
    @TempDir
    Path dir;

    /** Parses JSON strictly: NaN, Infinity and other lenient forms fail. */
    static JsonObject strictJson(Path file) throws IOException {
        String text = Files.readString(file);
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setLenient(false);
        JsonElement e = new Gson().getAdapter(JsonElement.class).read(reader);
        assertFalse(text.matches("(?s).*:\\s*-?(NaN|Infinity).*"), "no NaN/Infinity values in " + file);
        return e.getAsJsonObject();
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void everyInputGetsItsOwnOutputsAndEveryUnusableEntryIsListedWithItsReason() throws Exception {
        Path images = dir.resolve("images");
        CliFixtures.image(images.resolve("x.jpg"), 30, 40, 1);
        CliFixtures.image(images.resolve("x.png"), 30, 40, 2);
        CliFixtures.image(images.resolve("a/x.jpg"), 20, 20, 3);
        CliFixtures.image(images.resolve("b/x.jpg"), 20, 20, 4);
        Files.write(images.resolve("huge.png"), CliFixtures.pngDeclaring(60000, 60000));
        Files.write(images.resolve("truncated.png"), java.util.Arrays.copyOf(Files.readAllBytes(images.resolve("x.png")), 60));
        Files.createSymbolicLink(images.resolve("dangling.png"), dir.resolve("nowhere.png"));
        Files.writeString(images.resolve("notes.txt"), "text");
        boolean fifo = new ProcessBuilder("mkfifo", images.resolve("pipe.png").toString()).start().waitFor() == 0;
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("gradcam", "--model", CliFixtures.MODEL, "--image", images.toString(),
                "--size", "32", "--out", out.toString(), "--quiet", "--save-maps");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("a/x.jpg.cam.jpg", "a/x.jpg.cam.npy", "b/x.jpg.cam.jpg", "b/x.jpg.cam.npy", "report.json",
                "x.jpg.cam.jpg", "x.jpg.cam.npy", "x.png.cam.jpg", "x.png.cam.npy"), files(out));
        JsonObject report = strictJson(out.resolve("report.json"));
        assertEquals(4, report.get("images").getAsInt());
        List<String> overlays = new ArrayList<>();
        for (JsonElement e : report.getAsJsonArray("results")) {
            overlays.add(e.getAsJsonObject().getAsJsonArray("targets").get(0).getAsJsonObject().get("overlay").getAsString());
        }
        assertEquals(List.of("a/x.jpg.cam.jpg", "b/x.jpg.cam.jpg", "x.jpg.cam.jpg", "x.png.cam.jpg"), overlays);
        Map<String, String> skipped = new TreeMap<>();
        for (JsonElement e : report.getAsJsonArray("skipped")) {
            skipped.put(e.getAsJsonObject().get("file").getAsString(), e.getAsJsonObject().get("reason").getAsString());
        }
        assertTrue(skipped.get("huge.png").contains("60000 x 60000"), skipped.toString());
        assertTrue(skipped.get("truncated.png").contains("truncated PNG"), skipped.toString());
        assertTrue(skipped.get("dangling.png").contains("dangling symbolic link"), skipped.toString());
        assertEquals("not an image file", skipped.get("notes.txt"));
        if (fifo) {
            assertTrue(skipped.get("pipe.png").contains("not a regular file"), skipped.toString());
        }
        assertEquals(fifo ? 5 : 4, report.get("skippedCount").getAsInt(), skipped.toString());
    }

    @Test
    void anOutputFolderInsideTheImageFolderIsNotReadBackAsInput() throws IOException {
        Path images = dir.resolve("images");
        CliFixtures.image(images.resolve("x.png"), 30, 40, 1);
        Path out = images.resolve("cams");
        for (int run = 0; run < 2; run++) {
            CliRunner.Result r = CliRunner.run("gradcam", "--model", CliFixtures.MODEL, "--image", images.toString(),
                    "--size", "32", "--out", out.toString(), "--quiet");
            assertEquals(0, r.code(), r.err());
            JsonObject report = strictJson(out.resolve("report.json"));
            assertEquals(1, report.get("images").getAsInt(), "run " + run);
            assertEquals(0, report.get("skippedCount").getAsInt(), "run " + run);
        }
        assertEquals(List.of("cams/report.json", "cams/x.png.cam.jpg", "x.png"), files(images));
    }

    @Test
    void nonFiniteModelOutputsGiveValidJsonWithANote() throws IOException {
        Path images = dir.resolve("images");
        CliFixtures.image(images.resolve("x.png"), 30, 40, 1);
        for (String body : new String[] {"return y * float('nan')", "return y + float('inf')"}) {
            Path model = CliFixtures.wrappedModel(dir.resolve("odd.pt"), "Tensor", body);
            Path out = dir.resolve("out-" + body.hashCode());
            CliRunner.Result r = CliRunner.run("gradcam", "--model", model.toString(), "--layer", "net.layer4",
                    "--image", images.toString(), "--size", "32", "--out", out.toString(), "--quiet");
            assertEquals(0, r.code(), r.err());
            JsonObject target = strictJson(out.resolve("report.json")).getAsJsonArray("results").get(0).getAsJsonObject()
                    .getAsJsonArray("targets").get(0).getAsJsonObject();
            assertTrue(target.get("score").isJsonNull() || target.get("probability").isJsonNull(), target.toString());
            assertTrue(target.get("note").getAsString().contains("NaN or Infinity"), target.toString());
        }
    }

    @Test
    void aStaleTemporaryFileOfAKilledRunIsRemovedByTheNextRunAndALiveOneIsKept() throws IOException {
        long dead = 4_194_304L + 12_345;  // above Linux's largest pid: no process has it
        Path stalePlot = Files.writeString(dir.resolve(".plot.png.~ts" + dead + "-1a2b.tmp.png"), "partial");
        Path staleEmb = Files.writeString(dir.resolve(".emb.csv.~ts" + dead + "-3c.tmp.csv"), "partial");
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        Path live = parent == null ? null : Files.writeString(dir.resolve(".plot.png.~ts" + parent.pid() + "-9.tmp.png"), "x");
        Path unrelated = Files.writeString(dir.resolve(".plot.png.backup"), "kept");
        CliRunner.Result r = CliRunner.run("tsne", "--limit", "60", "--perplexity", "5", "--iterations", "50",
                "--out", dir.resolve("plot.png").toString(), "--embedding-out", dir.resolve("emb.csv").toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(stalePlot), "stale temp of a dead process removed");
        assertFalse(Files.exists(staleEmb), "stale temp of a dead process removed");
        if (live != null) {
            assertTrue(Files.exists(live), "a live process's temp file is kept");
        }
        assertTrue(Files.exists(unrelated), "files that are not torchsight's temporaries are kept");
        assertTrue(Files.isRegularFile(dir.resolve("plot.png")) && Files.isRegularFile(dir.resolve("emb.csv")));
    }

    @Test
    void aTransactionWritesAllItsFilesOrNone() throws IOException {
        Path nested = dir.resolve("new/deeper");
        try (AtomicFiles.Transaction t = new AtomicFiles.Transaction()) {
            t.stage(nested.resolve("a.txt"), tmp -> Files.writeString(tmp, "a"));
            t.stage(dir.resolve("b.txt"), tmp -> Files.writeString(tmp, "b"));
            assertFalse(Files.exists(nested.resolve("a.txt")), "invisible before commit");
            try {
                t.stage(dir.resolve("c.txt"), tmp -> {
                    throw new IOException("disk full");
                });
            } catch (dev.torchsight.core.TorchsightException expected) {
                assertTrue(expected.getMessage().contains("disk full"), expected.getMessage());
            }
        }
        assertEquals(List.of(), files(dir), "nothing left after a failure");
        assertFalse(Files.exists(dir.resolve("new")), "folders it created are removed");
        try (AtomicFiles.Transaction t = new AtomicFiles.Transaction()) {
            t.stage(nested.resolve("a.txt"), tmp -> Files.writeString(tmp, "a"));
            t.stage(dir.resolve("b.txt"), tmp -> Files.writeString(tmp, "b"));
            t.commit();
        }
        assertEquals(List.of("b.txt", "new/deeper/a.txt"), files(dir));
    }

    @Test
    void layersListsAModelWhoseOutputIsATupleOrADict() throws IOException {
        // layers needs no class scores, so it must not ask for an option it does not have (--output-index)
        for (String[] kind : new String[][] {{"Tuple[Tensor, Tensor]", "return (x.mean(), y)"},
            {"Dict[str, Tensor]", "return {'logits': y}"}}) {
            Path model = CliFixtures.wrappedModel(dir.resolve("odd.pt"), kind[0], kind[1]);
            CliRunner.Result r = CliRunner.run("layers", model.toString(), "--input-size", "32");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().matches("(?s).*net\\.layer4 +\\S+ +\\[1, 64, 4, 4\\].*"), r.out());
        }
    }

    @Test
    void anUnreadableImageInAFolderIsSkippedWithItsReason() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
        Path images = dir.resolve("images");
        CliFixtures.image(images.resolve("x.png"), 30, 40, 1);
        Path locked = CliFixtures.image(images.resolve("y.png"), 30, 40, 2);
        Files.setPosixFilePermissions(locked, java.util.Set.of());
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("gradcam", "--model", CliFixtures.MODEL, "--image", images.toString(),
                "--size", "32", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        JsonArray skipped = strictJson(out.resolve("report.json")).getAsJsonArray("skipped");
        assertTrue(skipped.toString().contains("permission denied"), skipped.toString());
    }
}
