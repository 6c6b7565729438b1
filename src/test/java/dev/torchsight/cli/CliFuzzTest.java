package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.io.NpyWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and extreme values for every option of every command, malformed images, TorchScript files
 * that are not models or return odd outputs, and output places that cannot be written. Each case is a
 * mutation of a command that works (the baselines below run first), and each must end with exit code
 * 2, exactly one stderr line starting {@code torchsight: error: }, nothing written in its output
 * folder, within a time limit.
 */
class CliFuzzTest {
    /** Generous for a 2-core machine: the slowest case loads a model and reads a few images. */
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String OUT = "{OUT}";

    @TempDir
    static Path fx;
    static Path vectors;
    static Path images;
    static Path folder;
    static Path good;
    static Path zeroModel;
    static Path zipModel;
    static Path textModel;
    static Path tupleModel;
    static Path dictModel;
    static Path file;
    static Path emptyDir;
    static Path badImages;
    static List<String> badImageNames;
    static Path fifo;
    static Path longName;
    static List<Path> oddModels = new ArrayList<>();

    @BeforeAll
    static void fixtures() throws IOException {
        Random r = new Random(5);
        float[] v = new float[60 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() + (i / 4 % 3) * 6;
        }
        vectors = fx.resolve("v.npy");
        NpyWriter.writeFloat32(vectors, 60, 4, v);
        images = fx.resolve("images");
        good = CliFixtures.image(images.resolve("a.png"), 40, 50, 1);
        CliFixtures.image(images.resolve("b.jpg"), 30, 30, 2);
        folder = fx.resolve("folder");
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 4; i++) {
                CliFixtures.image(folder.resolve("class" + c).resolve("i" + i + ".png"), 20, 20, 10 * c + i);
            }
        }
        zeroModel = Files.write(fx.resolve("zero.pt"), new byte[0]);
        zipModel = Files.write(fx.resolve("zip.pt"), CliFixtures.zipNotTorchScript());
        textModel = Files.writeString(fx.resolve("text.pt"), "def forward(x): return x\n");
        tupleModel = CliFixtures.wrappedModel(fx.resolve("tuple.pt"), "Tuple[Tensor, Tensor]", "return (x.mean(), y)");
        dictModel = CliFixtures.wrappedModel(fx.resolve("dict.pt"), "Dict[str, Tensor]", "return {'logits': y}");
        String[][] odd = {{"Tensor", "return y.unsqueeze(2)"}, {"Tensor", "return y[:, :0]"}, {"Tensor", "return y.sum()"},
            {"Tensor", "return y.long()"}, {"Tensor", "return y.detach()"},
            {"Tensor", "return torch.mm(y, x.flatten(1))"}, {"int", "return 3"}, {"List[Tensor]", "return [y]"},
            {"str", "return 'logits'"}, {"Tensor", "return torch.cat([y, y], 0)"}};
        for (int i = 0; i < odd.length; i++) {
            oddModels.add(CliFixtures.wrappedModel(fx.resolve("odd" + i + ".pt"), odd[i][0], odd[i][1]));
        }
        file = Files.writeString(fx.resolve("plain.txt"), "a file, not a folder");
        emptyDir = Files.createDirectories(fx.resolve("empty"));
        badImages = fx.resolve("bad");
        Files.createDirectories(badImages);
        Files.write(badImages.resolve("zero.png"), new byte[0]);
        Files.writeString(badImages.resolve("text.png"), "not a png");
        Files.write(badImages.resolve("huge.png"), CliFixtures.pngDeclaring(60000, 60000));
        Files.write(badImages.resolve("huge.jpg"), CliFixtures.jpegDeclaring(60000, 60000));
        Files.write(badImages.resolve("huge.bmp"), CliFixtures.bmpDeclaring(60000, 60000));
        Files.write(badImages.resolve("huge.tif"), CliFixtures.tiffDeclaring(60000, 60000));
        Files.write(badImages.resolve("huge.ppm"), CliFixtures.ppmDeclaring(60000, 60000));
        Files.write(badImages.resolve("wide.png"), CliFixtures.pngDeclaring(Integer.MAX_VALUE, 1));
        Files.write(badImages.resolve("empty.png"), CliFixtures.pngDeclaring(0, 10));
        byte[] png = Files.readAllBytes(good);
        Files.write(badImages.resolve("truncated.png"), Arrays.copyOf(png, 40));
        Files.write(badImages.resolve("header-only.png"), Arrays.copyOf(png, 8));
        Files.write(badImages.resolve("random.jpg"), randomBytes(2000, 3));
        Files.createDirectories(badImages.resolve("folder.png"));
        Files.createSymbolicLink(badImages.resolve("dangling.png"), fx.resolve("nowhere.png"));
        badImageNames = names(badImages);
        longName = Files.copy(good, fx.resolve("n".repeat(248) + ".png"));  // 252 bytes: +".cam.jpg" is too long
        fifo = fx.resolve("fifo.png");
        try {
            new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        } catch (IOException | InterruptedException e) {
            // no mkfifo here: the FIFO cases are left out
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ---- the commands that work, and the mutations of them that must not ----

    private static String[] tsne() {
        return new String[] {"tsne", "--input", vectors.toString(), "--perplexity", "5", "--iterations", "60",
            "--out", OUT + "/plot.png", "--embedding-out", OUT + "/emb.csv", "--quiet"};
    }

    private static String[] tsneImages() {
        return new String[] {"tsne", "--images", folder.toString(), "--size", "16", "--perplexity", "2",
            "--iterations", "60", "--out", OUT + "/plot.png", "--embedding-out", OUT + "/emb.json", "--quiet"};
    }

    private static String[] tsneModel() {
        return new String[] {"tsne", "--images", folder.toString(), "--model", CliFixtures.MODEL, "--layer", "layer3",
            "--size", "32", "--pool", "1", "--perplexity", "2", "--iterations", "60", "--out", OUT + "/plot.png", "--quiet"};
    }

    private static String[] gradcam() {
        return new String[] {"gradcam", "--model", CliFixtures.MODEL, "--image", images.toString(), "--size", "32",
            "--out", OUT + "/out", "--quiet"};
    }

    private static String[] layers() {
        return new String[] {"layers", CliFixtures.MODEL, "--input-size", "32"};
    }

    /** {@code base} with {@code flag} set to {@code value} (replaced where present: a repeated flag is its own error). */
    private static String[] with(String[] base, String flag, String... value) {
        List<String> args = new ArrayList<>(Arrays.asList(base));
        int at = args.indexOf(flag);
        if (at >= 0) {
            args.remove(at);
            if (at < args.size() && !args.get(at).startsWith("--")) {
                args.remove(at);
            }
            args.addAll(at, flagAndValue(flag, value));
        } else {
            args.addAll(flagAndValue(flag, value));
        }
        return args.toArray(String[]::new);
    }

    private static List<String> flagAndValue(String flag, String... value) {
        List<String> l = new ArrayList<>();
        l.add(flag);
        l.addAll(Arrays.asList(value));
        return l;
    }

    private static String[] without(String[] base, String flag) {
        List<String> args = new ArrayList<>(Arrays.asList(base));
        int at = args.indexOf(flag);
        args.remove(at);
        if (at < args.size() && !args.get(at).startsWith("--")) {
            args.remove(at);
        }
        return args.toArray(String[]::new);
    }

    private record Case(String name, String[] args) { }

    private static final String[] NOT_A_NUMBER = {"", "abc", "1,2", "0x10", " 5"};
    private static final String[] BAD_INT = {"0", "-1", "-2147483648", "2147483647", "99999999999", "1e3", "1.5", "NaN"};
    private static final String[] BAD_REAL = {"-1", "NaN", "Infinity", "-Infinity", "1e308", "-1e308"};

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // numbers: every numeric option of every command
        String[][] tsneInts = {{"--iterations"}, {"--batch-size"}, {"--limit"}, {"--threads"}, {"--dpi"}, {"--pool"}};
        for (String[] o : tsneInts) {
            for (String v : BAD_INT) {
                if (o[0].equals("--pool") && v.equals("0") || o[0].equals("--limit") && v.equals("2147483647")) {
                    continue;  // valid values
                }
                cases.add(new Case("tsne " + o[0] + " " + v, with(o[0].equals("--batch-size") || o[0].equals("--pool")
                        ? tsneImages() : tsne(), o[0], v)));
            }
            for (String v : NOT_A_NUMBER) {
                cases.add(new Case("tsne " + o[0] + " '" + v + "'", with(tsne(), o[0], v)));
            }
        }
        for (String v : BAD_REAL) {
            cases.add(new Case("tsne --perplexity " + v, with(tsne(), "--perplexity", v)));
            cases.add(new Case("tsne --theta " + v, with(tsne(), "--theta", v.equals("-1") ? "2" : v)));
        }
        for (String v : new String[] {"0", "0.5", "100", "", "abc", "5,abc", "5,1e9"}) {
            cases.add(new Case("tsne --perplexity " + v, with(tsne(), "--perplexity", v)));
        }
        for (String o : new String[] {"--dof", "--exaggeration", "--early-exaggeration", "--learning-rate"}) {
            for (String v : BAD_REAL) {
                cases.add(new Case("tsne " + o + " " + v, with(tsne(), o, v)));
            }
        }
        for (String o : new String[] {"--dimensions", "--early-iterations", "--uniform"}) {
            for (String v : new String[] {"-1", "4", "100000000", "abc", ""}) {
                if (o.equals("--early-iterations") && v.equals("4") || o.equals("--uniform") && v.equals("4")) {
                    continue;  // valid values
                }
                cases.add(new Case("tsne " + o + " " + v, with(tsne(), o, v)));
            }
        }
        for (String v : new String[] {"0.5", "1,0.8", "0.5,NaN", "-0.1,0.8", "a,b", "", "0.5,0.8,0.9"}) {
            cases.add(new Case("tsne --momentum " + v, with(tsne(), "--momentum", v)));
        }
        for (String o : new String[] {"--method", "--neighbors", "--metric"}) {
            cases.add(new Case("tsne " + o + " nonsense", with(tsne(), o, "nonsense")));
        }
        for (String v : new String[] {"abc", "1e3", "99999999999999999999", ""}) {
            cases.add(new Case("tsne --seed " + v, with(tsne(), "--seed", v)));
        }
        for (String[] base : new String[][] {tsneImages(), gradcam()}) {
            String cmd = base[0];
            for (String v : new String[] {"0", "-1", "7", "4097", "100000", "2147483647", "NaN", "abc", ""}) {
                cases.add(new Case(cmd + " --size " + v, with(base, "--size", v)));
            }
            for (String v : new String[] {"NaN,0,0", "0,Infinity,0", "1e308,0,0", "1,2", "1,2,3,4", "a,b,c", "", ",,"}) {
                cases.add(new Case(cmd + " --mean " + v, with(base, "--mean", v)));
            }
            for (String v : new String[] {"0,1,1", "-1,1,1", "NaN,1,1", "Infinity,1,1", "1e-300,1,1", "1,1", ""}) {
                cases.add(new Case(cmd + " --std " + v, with(base, "--std", v)));
            }
        }
        for (String v : BAD_INT) {
            cases.add(new Case("gradcam --batch-size " + v, with(gradcam(), "--batch-size", v)));
        }
        for (String v : new String[] {"-1", "10", "2147483647", "99999999999", "abc", ""}) {
            cases.add(new Case("gradcam --class " + v, with(gradcam(), "--class", v)));
        }
        for (String v : new String[] {"0", "-1", "11", "1001", "2147483647", "abc"}) {
            cases.add(new Case("gradcam --top-k " + v, with(gradcam(), "--top-k", v)));
        }
        cases.add(new Case("gradcam --class and --top-k", with(with(gradcam(), "--class", "1"), "--top-k", "2")));
        for (String v : new String[] {"-0.1", "1.1", "NaN", "Infinity", "abc"}) {
            cases.add(new Case("gradcam --alpha " + v, with(gradcam(), "--alpha", v)));
        }
        for (String v : new String[] {"-1", "abc", "2147483648"}) {
            cases.add(new Case("gradcam --output-index " + v, with(gradcam(), "--output-index", v)));
        }
        for (String v : new String[] {"gif", "", "jpg2"}) {
            cases.add(new Case("gradcam --format '" + v + "'", with(gradcam(), "--format", v)));
        }
        for (String v : new String[] {"tpu", "", "cuda:0"}) {
            cases.add(new Case("gradcam --device '" + v + "'", with(gradcam(), "--device", v)));
            cases.add(new Case("tsne --device '" + v + "'", with(tsne(), "--device", v)));
        }
        cases.add(new Case("tsne --method foo", with(tsne(), "--method", "foo")));
        cases.add(new Case("tsne --init foo", with(tsne(), "--init", "foo")));
        for (String v : new String[] {"0", "-1", "7", "4097", "100000", "2147483647", "abc"}) {
            cases.add(new Case("layers --input-size " + v, with(layers(), "--input-size", v)));
        }
        for (String v : new String[] {"0", "-1", "1025", "2147483647", "abc", "1"}) {
            cases.add(new Case("layers --channels " + v, with(layers(), "--channels", v)));  // 1: the model needs 3
        }
        // images
        cases.add(new Case("gradcam empty folder", with(gradcam(), "--image", emptyDir.toString())));
        cases.add(new Case("gradcam folder of bad images", with(gradcam(), "--image", badImages.toString())));
        cases.add(new Case("gradcam missing image", with(gradcam(), "--image", fx.resolve("none.png").toString())));
        try (Stream<Path> s = Files.list(badImages)) {
            for (Path p : s.sorted().toList()) {
                cases.add(new Case("gradcam --image " + p.getFileName(), with(gradcam(), "--image", p.toString())));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        cases.add(new Case("gradcam --image a text file", with(gradcam(), "--image", file.toString())));
        if (Files.exists(fifo)) {  // reading a FIFO would block forever: it must be refused, not opened
            cases.add(new Case("gradcam --image a FIFO", with(gradcam(), "--image", fifo.toString())));
            cases.add(new Case("gradcam --labels a FIFO", with(gradcam(), "--labels", fifo.toString())));
            cases.add(new Case("gradcam --model a FIFO", with(gradcam(), "--model", fifo.toString())));
            cases.add(new Case("tsne --input a FIFO", with(tsne(), "--input", fifo.toString())));
            cases.add(new Case("tsne --labels a FIFO", with(tsne(), "--labels", fifo.toString())));
            cases.add(new Case("tsne --out a FIFO", with(tsne(), "--out", fifo.toString())));
        }
        cases.add(new Case("tsne --images empty folder", with(tsneImages(), "--images", emptyDir.toString())));
        cases.add(new Case("tsne --images a file", with(tsneImages(), "--images", good.toString())));
        cases.add(new Case("tsne --images with bad images", with(tsneImages(), "--images", fx.toString())));
        // models
        for (Path m : new Path[] {zeroModel, zipModel, textModel, fx.resolve("none.pt"), emptyDir, file}) {
            cases.add(new Case("gradcam --model " + m.getFileName(), with(gradcam(), "--model", m.toString())));
            cases.add(new Case("layers " + m.getFileName(), new String[] {"layers", m.toString(), "--input-size", "32"}));
            cases.add(new Case("tsne --model " + m.getFileName(), with(tsneModel(), "--model", m.toString())));
        }
        cases.add(new Case("gradcam tuple model", with(with(gradcam(), "--model", tupleModel.toString()), "--layer", "net.layer4")));
        cases.add(new Case("gradcam dict model", with(with(gradcam(), "--model", dictModel.toString()), "--layer", "net.layer4")));
        cases.add(new Case("gradcam tuple model --output-index 2",
                with(with(with(gradcam(), "--model", tupleModel.toString()), "--layer", "net.layer4"), "--output-index", "2")));
        cases.add(new Case("gradcam tuple model --output-index 0 (not class scores)",
                with(with(with(gradcam(), "--model", tupleModel.toString()), "--layer", "net.layer4"), "--output-index", "0")));
        String[][] odd = {
            {"3-D output", "Tensor", "return y.unsqueeze(2)"},
            {"no classes", "Tensor", "return y[:, :0]"},
            {"one number per batch", "Tensor", "return y.sum()"},
            {"integer scores", "Tensor", "return y.long()"},
            {"detached scores", "Tensor", "return y.detach()"},
            {"forward raises", "Tensor", "return torch.mm(y, x.flatten(1))"},
            {"an int", "int", "return 3"},
            {"a list", "List[Tensor]", "return [y]"},
            {"a string", "str", "return 'logits'"},
            {"a wrong batch size", "Tensor", "return torch.cat([y, y], 0)"},
        };
        for (int i = 0; i < odd.length; i++) {
            Path m = oddModels.get(i);
            cases.add(new Case("gradcam model returning " + odd[i][0],
                    with(with(gradcam(), "--model", m.toString()), "--layer", "net.layer4")));
        }
        cases.add(new Case("gradcam --layer missing", with(gradcam(), "--layer", "layer44")));
        cases.add(new Case("gradcam --layer ''", with(gradcam(), "--layer", "")));
        cases.add(new Case("gradcam --layer fc (no map)", with(gradcam(), "--layer", "fc")));
        cases.add(new Case("tsne --layer missing", with(tsneModel(), "--layer", "nope")));
        cases.add(new Case("tsne --model with vectors", with(tsne(), "--model", CliFixtures.MODEL)));
        cases.add(new Case("tsne --pool with a flat layer", with(with(tsneModel(), "--layer", "fc"), "--pool", "2")));
        // data options (the readers' own fuzzing lives with them; here: the CLI's handling of them)
        cases.add(new Case("tsne --input missing", with(tsne(), "--input", fx.resolve("none.npy").toString())));
        cases.add(new Case("tsne --input a folder", with(tsne(), "--input", emptyDir.toString())));
        cases.add(new Case("tsne --input an image", with(tsne(), "--input", good.toString())));
        cases.add(new Case("tsne two inputs", with(tsne(), "--images", folder.toString())));
        cases.add(new Case("tsne too few rows", with(tsne(), "--limit", "4")));
        cases.add(new Case("gradcam --labels missing", with(gradcam(), "--labels", fx.resolve("none.txt").toString())));
        // outputs
        cases.add(new Case("tsne --out a folder", with(tsne(), "--out", emptyDir.toString())));
        cases.add(new Case("tsne --out folder.png", with(tsne(), "--out", badImages.resolve("folder.png").toString())));
        cases.add(new Case("tsne --out .jpg", with(tsne(), "--out", OUT + "/plot.jpg")));
        cases.add(new Case("tsne --out ''", with(tsne(), "--out", "")));
        cases.add(new Case("tsne --out .png only", with(tsne(), "--out", OUT + "/.png")));
        cases.add(new Case("tsne --out under a file", with(tsne(), "--out", file.resolve("plot.png").toString())));
        cases.add(new Case("tsne --out in /proc", with(tsne(), "--out", "/proc/torchsight/plot.png")));
        cases.add(new Case("tsne --out with a 300-byte name", with(tsne(), "--out", OUT + "/" + "p".repeat(296) + ".png")));
        cases.add(new Case("tsne --embedding-out with a 300-byte name",
                with(tsne(), "--embedding-out", OUT + "/" + "e".repeat(296) + ".csv")));
        cases.add(new Case("gradcam an input whose output name is too long", with(gradcam(), "--image", longName.toString())));
        cases.add(new Case("tsne --embedding-out .txt", with(tsne(), "--embedding-out", OUT + "/emb.txt")));
        cases.add(new Case("tsne --embedding-out a folder", with(tsne(), "--embedding-out", emptyDir.toString())));
        cases.add(new Case("tsne --embedding-out under a file", with(tsne(), "--embedding-out", file.resolve("e.csv").toString())));
        cases.add(new Case("tsne --embedding-out in /proc", with(tsne(), "--embedding-out", "/proc/torchsight/e.csv")));
        cases.add(new Case("gradcam --out a file", with(gradcam(), "--out", file.toString())));
        cases.add(new Case("gradcam --out under a file", with(gradcam(), "--out", file.resolve("out").toString())));
        cases.add(new Case("gradcam --out the image folder", with(gradcam(), "--out", images.toString())));
        cases.add(new Case("gradcam --out in /proc", with(gradcam(), "--out", "/proc/torchsight/out")));
        // the command line itself
        cases.add(new Case("no command", new String[0]));
        cases.add(new Case("unknown command", new String[] {"explain"}));
        cases.add(new Case("unknown option", with(tsne(), "--frobnicate", "1")));
        cases.add(new Case("missing value", new String[] {"tsne", "--iterations"}));
        cases.add(new Case("repeated option", with(tsne(), "--quiet", "--quiet")));
        cases.add(new Case("gradcam without --model", without(gradcam(), "--model")));
        cases.add(new Case("layers without a model", new String[] {"layers"}));
        cases.add(new Case("info with an argument", new String[] {"info", "extra"}));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> badInputsGetOneLineExitTwoAndWriteNothing() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> assertRejected(c.args())));
    }

    private static void assertRejected(String[] template) throws IOException {
        Path work = Files.createTempDirectory(fx, "case");
        String[] args = Arrays.stream(template).map(a -> a.replace(OUT, work.toString())).toArray(String[]::new);
        CliRunner.Result r = assertTimeoutPreemptively(LIMIT, () -> CliRunner.run(args), () -> "hangs: " + String.join(" ", args));
        String what = String.join(" ", args) + "\nstderr: " + r.err();
        assertEquals(2, r.code(), what);
        String[] lines = r.err().split("\\R", -1);
        assertEquals(2, lines.length, "exactly one line: " + what);
        assertEquals("", lines[1], what);
        assertTrue(lines[0].startsWith("torchsight: error: "), what);
        assertTrue(lines[0].length() > "torchsight: error: ".length() + 10, "says what is wrong: " + what);
        try (Stream<Path> s = Files.walk(work)) {
            List<Path> left = s.filter(p -> !p.equals(work)).toList();
            assertEquals(List.of(), left, "nothing written: " + what);
        }
        assertUnchanged();
    }

    /** Inputs are never written to (no temp files, no outputs next to them). */
    private static void assertUnchanged() throws IOException {
        assertEquals(List.of("a.png", "b.jpg"), names(images));
        assertEquals(badImageNames, names(badImages));
    }

    @Test
    void theBaselinesWork() throws IOException {
        for (String[] base : new String[][] {tsne(), tsneImages(), tsneModel(), gradcam(), layers()}) {
            Path work = Files.createTempDirectory(fx, "base");
            String[] args = Arrays.stream(base).map(a -> a.replace(OUT, work.toString())).toArray(String[]::new);
            CliRunner.Result r = assertTimeoutPreemptively(LIMIT, () -> CliRunner.run(args));
            assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.err());
            assertEquals("", r.err(), "nothing on stderr");
        }
    }
}
