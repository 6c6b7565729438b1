package dev.torchsight.cam.metrics;

import dev.torchsight.io.NpyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;

/** The metrics' fixtures (src/test/resources/cam/metrics, made by make_fixtures.py) and test models. */
final class Fixtures {
    static {
        dev.torchsight.core.Natives.ensureLoaded();
    }

    static final Path DIR = Path.of("src/test/resources/cam/metrics");

    private Fixtures() {}

    static float[] floats(String name) {
        return NpyFile.read(DIR.resolve(name)).asFloats();
    }

    static long[] shape(String name) {
        return NpyFile.read(DIR.resolve(name)).shape();
    }

    /** A little-endian float64 .npy file, version 1.0, as numpy.save writes it. */
    static double[] doubles(String name) {
        try {
            byte[] bytes = Files.readAllBytes(DIR.resolve(name));
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int header = Short.toUnsignedInt(b.getShort(8));
            String text = new String(bytes, 10, header, java.nio.charset.StandardCharsets.US_ASCII);
            if (bytes[6] != 1 || !text.contains("'<f8'")) {
                throw new IllegalStateException(name + " is not a v1.0 float64 .npy file: " + text);
            }
            double[] out = new double[(bytes.length - 10 - header) / 8];
            b.position(10 + header);
            b.asDoubleBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows {@code from..to-1} of a flattened array whose rows hold {@code size} values each. */
    static float[] rows(float[] all, int size, int from, int to) {
        return Arrays.copyOfRange(all, from * size, to * size);
    }

    /**
     * Saves a TorchScript linear classifier, logits[n, k] = sum(weight[k] * x[n]) + bias[k], for inputs
     * channels x height x width, and returns its file.
     */
    static Path linearModel(Path dir, float[] weights, float[] bias, int channels, int height, int width) {
        int classes = bias.length;
        Path file = dir.resolve("linear-" + Integer.toHexString(java.util.Arrays.hashCode(weights)) + ".pt");
        try (PointerScope scope = new PointerScope()) {
            CompilationUnit unit = new CompilationUnit();
            JitModule m = new JitModule(new QualifiedName("__torch__.metrics.Linear"), unit, false);
            m.register_parameter("weight", Tensor.create(weights, classes, channels, height, width), false);
            m.register_parameter("bias", Tensor.create(bias, classes), false);
            m.define("def forward(self, x: Tensor) -> Tensor:\n"
                    + "    return (x.unsqueeze(1) * self.weight.unsqueeze(0)).sum([2, 3, 4]) + self.bias\n");
            m.eval();
            m.save(file.toString());
        }
        return file;
    }
}
