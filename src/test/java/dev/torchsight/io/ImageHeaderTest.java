package dev.torchsight.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image headers are read right (no valid image is refused) for files written by two encoders
 * (OpenCV, and Java's ImageIO: palette, 1-bit, grey and progressive variants), and every image that
 * passes decodes to the declared size.
 */
class ImageHeaderTest {
    private static final int W = 53;
    private static final int H = 37;

    @TempDir
    Path dir;

    private void assertReadable(Path file) throws IOException {
        ImageHeader h = assertDoesNotThrowInvalid(Files.readAllBytes(file));
        assertEquals(W, h.width(), file.toString());
        assertEquals(H, h.height(), file.toString());
        assertNull(Images.checkHeader(file), file.toString());
        Images.Decoded d = Images.decode(file);
        assertNull(d.problem(), file.toString());
        assertEquals(W, d.image().cols());
        assertEquals(H, d.image().rows());
        d.image().close();
    }

    private static ImageHeader assertDoesNotThrowInvalid(byte[] b) {
        try {
            ImageHeader h = ImageHeader.parse(b);
            ImageHeader.requireComplete(b, h);
            return h;
        } catch (ImageHeader.Invalid e) {
            throw new AssertionError("refused a valid image: " + e.getMessage(), e);
        }
    }

    @Test
    void filesWrittenByOpenCvInEveryFormat() throws IOException {
        byte[] px = new byte[W * H * 3];
        new Random(1).nextBytes(px);
        try (BytePointer data = new BytePointer(px); Mat colour = new Mat(H, W, opencv_core.CV_8UC3, data);
             Mat grey = new Mat()) {
            org.bytedeco.opencv.global.opencv_imgproc.cvtColor(colour, grey, org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY);
            for (String ext : new String[] {"png", "jpg", "bmp", "tif", "webp", "ppm"}) {
                Path f = dir.resolve("colour." + ext);
                assertTrue(opencv_imgcodecs.imwrite(f.toString(), colour));
                assertReadable(f);
            }
            for (String ext : new String[] {"png", "jpg", "bmp", "pgm", "pbm"}) {
                Path f = dir.resolve("grey." + ext);
                assertTrue(opencv_imgcodecs.imwrite(f.toString(), grey));
                assertReadable(f);
            }
            try (Mat ascii = new Mat(); org.bytedeco.javacpp.IntPointer params = new org.bytedeco.javacpp.IntPointer(
                    opencv_imgcodecs.IMWRITE_PXM_BINARY, 0)) {
                Path f = dir.resolve("ascii.ppm");
                assertTrue(opencv_imgcodecs.imwrite(f.toString(), colour, params));
                assertReadable(f);
            }
        }
        short[] deep = new short[W * H * 3];
        for (int i = 0; i < deep.length; i++) {
            deep[i] = (short) (i * 37);
        }
        try (ShortPointer data = new ShortPointer(deep); Mat m = new Mat(H, W, opencv_core.CV_16UC3, data)) {
            Path f = dir.resolve("deep.png");
            assertTrue(opencv_imgcodecs.imwrite(f.toString(), m));
            assertReadable(f);
        }
    }

    @Test
    void filesWrittenByImageIo() throws IOException {
        Random r = new Random(2);
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_BYTE_INDEXED,
            BufferedImage.TYPE_BYTE_BINARY, BufferedImage.TYPE_INT_ARGB};
        for (int type : types) {
            BufferedImage img = new BufferedImage(W, H, type);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img.setRGB(x, y, r.nextInt());
                }
            }
            for (String format : new String[] {"png", "bmp"}) {
                Path f = dir.resolve("io" + type + "." + format);
                if (ImageIO.write(img, format, f.toFile())) {
                    assertReadable(f);
                }
            }
        }
        BufferedImage rgb = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Path progressive = dir.resolve("progressive.jpg");
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(progressive.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } finally {
            writer.dispose();
        }
        assertReadable(progressive);
        // bytes after the end marker (some cameras append data) do not make a JPEG unreadable
        Path trailing = dir.resolve("trailing.jpg");
        byte[] jpeg = Files.readAllBytes(progressive);
        byte[] more = Arrays.copyOf(jpeg, jpeg.length + 100);
        Files.write(trailing, more);
        assertReadable(trailing);
    }

    @Test
    void declaredSizesAndDamageAreReportedWithoutDecoding() throws IOException {
        assertThrows(ImageHeader.Invalid.class, () -> ImageHeader.parse(new byte[0]));
        assertThrows(ImageHeader.Invalid.class, () -> ImageHeader.parse("GIF89a".getBytes()));
        Path huge = Files.write(dir.resolve("huge.png"), dev.torchsight.cli.CliFixtures.pngDeclaring(60000, 60000));
        assertTrue(Images.checkHeader(huge).contains("60000 x 60000"), Images.checkHeader(huge));
        byte[] px = new byte[W * H * 3];
        try (BytePointer data = new BytePointer(px); Mat m = new Mat(H, W, opencv_core.CV_8UC3, data)) {
            Path png = dir.resolve("x.png");
            assertTrue(opencv_imgcodecs.imwrite(png.toString(), m));
            byte[] b = Files.readAllBytes(png);
            byte[] flipped = b.clone();
            flipped[b.length - 20] ^= 1;
            Files.write(png, flipped);
            assertTrue(Images.checkHeader(png).contains("checksum"), Images.checkHeader(png));
            Files.write(png, Arrays.copyOf(b, b.length - 12));
            assertTrue(Images.checkHeader(png).contains("truncated PNG"), Images.checkHeader(png));
        }
    }
}
