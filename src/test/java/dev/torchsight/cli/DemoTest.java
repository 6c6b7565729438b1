package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end: accuracy, the article's claim (trained features cluster better), the page. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void fullDemoTrainsToEightyFivePercentAndTrainedFeaturesClusterBetter() throws Exception {
        Path out = dir.resolve("demo");
        CliRunner.Result r = CliRunner.run("demo", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        System.out.print(r.out());
        Matcher m = Pattern.compile("validation accuracy ([0-9.]+); 10-NN accuracy in t-SNE: untrained ([0-9.]+) -> trained ([0-9.]+)")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        double accuracy = Double.parseDouble(m.group(1));
        double untrained = Double.parseDouble(m.group(2));
        double trained = Double.parseDouble(m.group(3));
        assertTrue(accuracy >= 0.85, "validation accuracy " + accuracy);
        assertTrue(trained - untrained >= 0.05, "10-NN in t-SNE: untrained " + untrained + ", trained " + trained);
        assertPageComplete(out);
        // The saved model is an ordinary TorchScript file for the other commands.
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        Files.copy(out.resolve("tsne-dataset.png"), images.resolve("plot.png"));
        CliRunner.Result cam = CliRunner.run("gradcam", "--model", out.resolve("model.pt").toString(), "--layer", "conv3",
                "--size", "28", "--mean", "0,0,0", "--std", "1,1,1", "--image", images.toString(), "--out",
                dir.resolve("cam").toString(), "--quiet");
        assertEquals(0, cam.code(), cam.err());
        CliRunner.Result tsne = CliRunner.run("tsne", "--model", out.resolve("model.pt").toString(), "--layer", "conv3",
                "--limit", "300", "--out", dir.resolve("f.png").toString(), "--quiet", "--iterations", "300");
        assertEquals(0, tsne.code(), tsne.err());
    }

    @Test
    void shortDemoWritesEveryFile() throws Exception {
        Path out = dir.resolve("short");
        CliRunner.Result r = CliRunner.run("demo", "--out", out.toString(), "--limit", "400", "--epochs", "1", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("open " + out.resolve("index.html").toAbsolutePath()), r.out());
        assertPageComplete(out);
    }

    /** Every image the page references exists and decodes; the model file is linked and present. */
    static void assertPageComplete(Path out) throws Exception {
        String html = Files.readString(out.resolve("index.html"));
        Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        int count = 0;
        while (img.find()) {
            Path file = out.resolve(img.group(1));
            assertNotNull(ImageIO.read(file.toFile()), "decodable image " + file);
            count++;
        }
        assertEquals(4, count, "pixels, untrained, trained, Grad-CAM grid");
        assertTrue(html.contains("href=\"model.pt\"") && Files.size(out.resolve("model.pt")) > 0);
    }
}
