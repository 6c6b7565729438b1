package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;

/** Files the CLI tests feed to torchsight: good and malformed images, odd TorchScript models. */
public final class CliFixtures {
    static final String MODEL = "src/test/resources/gradcam/small_resnet_scripted.pt";

    private CliFixtures() {}

    /** A random colour image written by OpenCV (format by extension). */
    static Path image(Path path, int rows, int cols, long seed) throws IOException {
        Files.createDirectories(path.getParent());
        byte[] px = new byte[rows * cols * 3];
        new Random(seed).nextBytes(px);
        try (BytePointer data = new BytePointer(px); Mat m = new Mat(rows, cols, opencv_core.CV_8UC3, data)) {
            assertTrue(opencv_imgcodecs.imwrite(path.toString(), m), "wrote " + path);
        }
        return path;
    }

    /** A PNG whose header declares {@code width x height} pixels (valid signature, IHDR with CRC, IEND). */
    public static byte[] pngDeclaring(long width, long height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
        ihdr.putInt((int) width).putInt((int) height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        b.putInt((int) crc.getValue());
        out.writeBytes(b.array());
    }

    /** A baseline JPEG frame header declaring {@code width x height}, then nothing useful. */
    static byte[] jpegDeclaring(int width, int height) {
        return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0x00, 0x04, 0x00, 0x00,
            (byte) 0xFF, (byte) 0xC0, 0x00, 0x11, 0x08, (byte) (height >> 8), (byte) height, (byte) (width >> 8), (byte) width,
            0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, (byte) 0xFF, (byte) 0xD9};
    }

    /** A BMP header declaring {@code width x height}, 24 bits per pixel, without pixel data. */
    static byte[] bmpDeclaring(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0)
                .putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    /** A little-endian TIFF whose first directory declares {@code width x height}. */
    static byte[] tiffDeclaring(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 2 * 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) 2);
        b.putShort((short) 256).putShort((short) 4).putInt(1).putInt(width);
        b.putShort((short) 257).putShort((short) 4).putInt(1).putInt(height);
        b.putInt(0);
        return b.array();
    }

    /** A binary PPM declaring {@code width x height} with a few pixels only. */
    static byte[] ppmDeclaring(int width, int height) {
        return ("P6\n# comment\n" + width + " " + height + "\n255\n\u0001\u0002\u0003").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A zip archive that is not TorchScript. */
    static byte[] zipNotTorchScript() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write("not a pickle".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * The small ResNet wrapped so that forward returns something else: {@code body} is TorchScript
     * using {@code y} (the logits) and {@code x} (the input), returning {@code returnType}.
     */
    static Path wrappedModel(Path file, String returnType, String body) {
        try (JitModule wrapper = new JitModule(new QualifiedName("__torch__.Wrapper"))) {
            wrapper.register_module("net", org.bytedeco.pytorch.global.torch.load(MODEL));
            wrapper.define("def forward(self, x: Tensor) -> " + returnType + ":\n"
                    + "    y = self.net.forward(x)\n"
                    + "    " + body + "\n");
            wrapper.save(file.toString());
        }
        return file;
    }
}
