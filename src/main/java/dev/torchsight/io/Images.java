package dev.torchsight.io;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** Image files: recognising, listing and decoding them through OpenCV. */
public final class Images {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Extensions OpenCV decodes that are treated as images. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "ppm", "pgm", "pbm");

    private Images() {}

    /** True when the file name has an image extension. */
    public static boolean hasImageExtension(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1));
    }

    /**
     * Decodes an image as 8-bit BGR (grey images are expanded to three channels), or returns null when
     * OpenCV cannot decode it.
     */
    public static Mat tryRead(Path path) {
        Mat m = opencv_imgcodecs.imread(path.toString(), opencv_imgcodecs.IMREAD_COLOR);
        if (m == null || m.empty()) {
            if (m != null) {
                m.close();
            }
            return null;
        }
        return m;
    }

    /** Decodes an image, failing with a clear message when it cannot. */
    public static Mat read(Path path) {
        InputFiles.requireReadable(path, "image");
        Mat m = tryRead(path);
        if (m == null) {
            throw new TorchsightException(path + " is not an image OpenCV can decode; use JPEG, PNG, BMP, TIFF or WebP");
        }
        return m;
    }

    /** Every regular file under {@code dir}, recursively, in sorted path order. */
    public static List<Path> listFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new TorchsightException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
