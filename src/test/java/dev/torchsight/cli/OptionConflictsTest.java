package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options that each make sense alone but not together, or that name the wrong kind of file. */
class OptionConflictsTest {
    @TempDir
    Path dir;

    private void assertRefused(CliRunner.Result r, String expected) throws Exception {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("torchsight: error: ") && r.err().contains(expected), r.err());
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            assertEquals(0, files.count(), "nothing written");
        }
    }

    @Test
    void labelsWithAnImageFolderAreRefusedNotIgnored() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        Path labels = Files.writeString(dir.resolve("labels.txt"), "a\nb\n");
        CliRunner.Result r = CliRunner.run("tsne", "--images", "src/test/resources/imagefolder/folder", "--labels",
                labels.toString(), "--out", dir.resolve("out/t.png").toString(), "--quiet");
        assertRefused(r, "sub-folder");
    }

    @Test
    void idxNamesAnIdxFile() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        Path csv = Files.writeString(dir.resolve("x.csv"), "1,2\n3,4\n");
        CliRunner.Result r = CliRunner.run("tsne", "--idx", csv.toString(), "--out", dir.resolve("out/t.png").toString(), "--quiet");
        assertRefused(r, "not an IDX file");
    }

    @Test
    void classNamesMustCoverTheModelsClasses() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.copy(Path.of("src/test/resources/imagefolder/folder/zebra/img1.jpg"), images.resolve("z.jpg"));
        Path names = Files.writeString(dir.resolve("names.txt"), "only one\n");
        CliRunner.Result r = CliRunner.run("gradcam", "--model", GradcamCliTest.MODEL, "--image", images.toString(),
                "--size", "32", "--labels", names.toString(), "--class", "3", "--out", dir.resolve("out").toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("1 names but the model reports class 3"), r.err());
        assertTrue(!Files.exists(dir.resolve("out")) || Files.list(dir.resolve("out")).findAny().isEmpty(), "nothing written");
    }
}
