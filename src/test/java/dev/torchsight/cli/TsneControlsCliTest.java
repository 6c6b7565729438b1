package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.io.NpyWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The t-SNE controls of issue 12 through the CLI: 3-D maps, saved maps and placing new rows, bad values. */
class TsneControlsCliTest {
    @TempDir
    Path dir;

    /** Three well-separated clusters in 8-D, label = row % 3. */
    private Path clusters(String name, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        float[] v = new float[rows * 8];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < 8; c++) {
                v[i * 8 + c] = (float) (r.nextGaussian() + (c == i % 3 ? 12 : 0));
            }
        }
        Path file = dir.resolve(name);
        NpyWriter.writeFloat32(file, rows, 8, v);
        return file;
    }

    private Path labels(String name, int rows) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            text.append("c").append(i % 3).append('\n');
        }
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aThreeDimensionalMapWritesThreeCoordinatesAndAProjectedPlot() throws IOException {
        Path data = clusters("x.npy", 300, 1);
        Path csv = dir.resolve("e.csv");
        CliRunner.Result r = CliRunner.run("tsne", "--input", data.toString(), "--dimensions", "3", "--dof", "0.8",
                "--early-exaggeration", "8", "--early-iterations", "100", "--exaggeration", "1.5",
                "--momentum", "0.5,0.8", "--iterations", "300", "--out", dir.resolve("p.png").toString(),
                "--embedding-out", csv.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("x,y,z", lines.get(0));
        assertEquals(301, lines.size());
        assertEquals(3, lines.get(1).split(",").length);
        assertTrue(Files.size(dir.resolve("p.png")) > 1000);
    }

    @Test
    void aSavedMapPlacesNewRows() throws IOException {
        Path data = clusters("fit.npy", 300, 2);
        Path map = dir.resolve("m.tsmap");
        CliRunner.Result fit = CliRunner.run("tsne", "--input", data.toString(), "--labels",
                labels("fit.txt", 300).toString(), "--save-map", map.toString(), "--iterations", "400",
                "--out", dir.resolve("fit.png").toString(), "--quiet");
        assertEquals(0, fit.code(), fit.err());
        assertTrue(Files.size(map) > 300 * 8 * 4, "the map holds the reference rows");
        Path fresh = clusters("new.npy", 30, 3);
        Path placedCsv = dir.resolve("placed.csv");
        CliRunner.Result placed = CliRunner.run("tsne", "--reference", map.toString(), "--input", fresh.toString(),
                "--labels", labels("new.txt", 30).toString(), "--out", dir.resolve("new.png").toString(),
                "--embedding-out", placedCsv.toString(), "--quiet");
        assertEquals(0, placed.code(), placed.err());
        assertTrue(placed.out().contains("placed 30 points"), placed.out());
        assertEquals(31, Files.readAllLines(placedCsv).size());
    }

    @Test
    void badControlsGiveOneLineAndNoOutput() throws IOException {
        Path data = clusters("x.npy", 100, 4);
        String[][] cases = {
            {"--dimensions", "4"}, {"--dof", "0"}, {"--method", "fft", "--dimensions", "3"},
            {"--neighbors", "fast"}, {"--metric", "manhattan"}, {"--momentum", "0.5"}, {"--momentum", "0.5,1.2"},
            {"--early-iterations", "-5"}, {"--exaggeration", "-1"}, {"--learning-rate", "0"},
            {"--perplexity", "5,0"}, {"--uniform", "0"}, {"--save-map", dir.resolve("m.txt").toString()},
            {"--reference", dir.resolve("missing.tsmap").toString()},
        };
        for (String[] extra : cases) {
            String[] args = new String[extra.length + 6];
            args[0] = "tsne";
            args[1] = "--input";
            args[2] = data.toString();
            System.arraycopy(extra, 0, args, 3, extra.length);
            args[extra.length + 3] = "--out";
            args[extra.length + 4] = dir.resolve("bad.png").toString();
            args[extra.length + 5] = "--quiet";
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.code(), String.join(" ", extra) + ": " + r.err());
            assertEquals(1, r.err().strip().split("\n").length, String.join(" ", extra) + ": " + r.err());
            assertFalse(Files.exists(dir.resolve("bad.png")), String.join(" ", extra));
        }
    }
}
