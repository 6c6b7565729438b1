package dev.torchsight.io;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Image files: recognising, listing and decoding them through OpenCV. A file's declared size is read
 * from its header before it is decoded, so a decompression bomb is refused instead of aborting the
 * process; every refusal comes with a short reason.
 */
public final class Images {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Extensions OpenCV decodes that are treated as images. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "ppm", "pgm", "pbm");
    /** Most pixels an image may declare (268 million, e.g. 16384 x 16384). */
    public static final long MAX_PIXELS = 1L << 28;
    /** Largest encoded file read (1 GiB). */
    static final long MAX_FILE_BYTES = 1L << 30;
    /** Working memory per pixel while an image is decoded, explained and overlaid (BGR, maps, blend). */
    private static final long BYTES_PER_PIXEL = 16;

    private Images() {}

    /** True when the file name has an image extension. */
    public static boolean hasImageExtension(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1));
    }

    /**
     * A decoded image, or why there is none.
     *
     * @param image 8-bit BGR image the caller closes, or null
     * @param problem a short reason (no file name) when {@code image} is null
     */
    public record Decoded(Mat image, String problem) { }

    /**
     * Decodes an image as 8-bit BGR (grey images are expanded to three channels) after checking that it
     * is a readable regular file whose header declares a size that fits.
     */
    public static Decoded decode(Path path) {
        Loaded loaded = load(path);
        if (loaded.problem() != null) {
            return new Decoded(null, loaded.problem());
        }
        byte[] bytes = loaded.bytes();
        ImageHeader header = loaded.header();
        Mat m;
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, bytes.length, opencv_core.CV_8UC1, data)) {
            m = opencv_imgcodecs.imdecode(encoded, opencv_imgcodecs.IMREAD_COLOR);
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? "" : e.getMessage().strip().split("\\R")[0];
            return new Decoded(null, "OpenCV cannot decode this " + header.format() + (reason.isEmpty() ? "" : " (" + reason + ")"));
        }
        if (m == null || m.empty()) {
            if (m != null) {
                m.close();
            }
            return new Decoded(null, "corrupt or truncated " + header.format() + " (OpenCV cannot decode it)");
        }
        return new Decoded(m, null);
    }

    /**
     * Why {@code path} cannot be decoded, judged from the file and its header alone (without decoding
     * the pixels), or null when it looks like an image of an acceptable size.
     */
    public static String checkHeader(Path path) {
        return load(path).problem();
    }

    /** A file's bytes and header, or why they cannot be used. */
    private record Loaded(byte[] bytes, ImageHeader header, String problem) {
        static Loaded failed(String reason) {
            return new Loaded(null, null, reason);
        }
    }

    private static Loaded load(Path path) {
        byte[] bytes;
        try {
            if (!Files.exists(path)) {
                return Loaded.failed(Files.isSymbolicLink(path) ? "dangling symbolic link" : "file not found");
            }
            if (!Files.isRegularFile(path)) {
                return Loaded.failed(Files.isDirectory(path) ? "a folder, not an image file"
                        : "not a regular file (FIFO, socket or device)");
            }
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                return Loaded.failed("file too large (" + size + " bytes; at most " + MAX_FILE_BYTES + ")");
            }
            bytes = Files.readAllBytes(path);
        } catch (AccessDeniedException e) {
            return Loaded.failed("permission denied");
        } catch (NoSuchFileException e) {
            return Loaded.failed("file not found");
        } catch (IOException | SecurityException | OutOfMemoryError e) {
            return Loaded.failed("cannot read (" + e.getClass().getSimpleName().replace("Exception", "") + ")");
        }
        ImageHeader header;
        try {
            header = ImageHeader.parse(bytes);
        } catch (ImageHeader.Invalid e) {
            return Loaded.failed(e.getMessage());
        }
        long pixels = header.width() * header.height();
        if (header.width() > Integer.MAX_VALUE || header.height() > Integer.MAX_VALUE || pixels > MAX_PIXELS) {
            return Loaded.failed(String.format(Locale.ROOT,
                    "%s declares %d x %d pixels, more than the %d million allowed", header.format(), header.width(),
                    header.height(), MAX_PIXELS / 1_000_000));
        }
        long available = Pointer.availablePhysicalBytes();
        if (available > 0 && pixels * BYTES_PER_PIXEL > available) {
            return Loaded.failed(String.format(Locale.ROOT, "%d x %d pixels need %.1f GiB but %.1f GiB of memory is free",
                    header.width(), header.height(), pixels * BYTES_PER_PIXEL / 1073741824.0, available / 1073741824.0));
        }
        // Structure last: the size check must come first, before any image data is inflated.
        try {
            ImageHeader.requireComplete(bytes, header);
        } catch (ImageHeader.Invalid e) {
            return Loaded.failed(e.getMessage());
        }
        return new Loaded(bytes, header, null);
    }

    /** Decodes an image, or returns null when it cannot (see {@link #decode} for the reason). */
    public static Mat tryRead(Path path) {
        return decode(path).image();
    }

    /** Decodes an image, failing with a one-line message that says why it cannot. */
    public static Mat read(Path path) {
        Decoded d = decode(path);
        if (d.image() == null) {
            throw new TorchsightException(Kind.INPUT, path, "cannot read image " + path + ": " + d.problem()
                    + "; use a JPEG, PNG, BMP, TIFF, WebP or PNM image");
        }
        return d.image();
    }

    /** Every regular file under {@code dir}, recursively, in sorted path order. */
    public static List<Path> listFiles(Path dir) {
        Listing l = list(dir, p -> false);
        return l.files();
    }

    /**
     * A folder's files, recursively (symbolic links to files are followed, to folders not), and the
     * entries that cannot be used with the reason.
     *
     * @param files regular files (or links to them), sorted by path
     * @param skipped entries that are not usable files, sorted by path
     */
    public record Listing(List<Path> files, List<Skipped> skipped) { }

    /** An entry left out of a listing. @param path the entry @param reason why */
    public record Skipped(Path path, String reason) { }

    /** Lists {@code dir} recursively, leaving out folders for which {@code exclude} holds. */
    public static Listing list(Path dir, Predicate<Path> exclude) {
        List<Path> found = new ArrayList<>();
        List<Skipped> left = new ArrayList<>();
        Path start;
        try {
            // A folder given as a link is walked; links met inside it are judged one by one.
            start = Files.isSymbolicLink(dir) ? dir.toRealPath() : dir;
        } catch (IOException e) {
            throw new TorchsightException(Kind.INPUT, dir, "cannot list " + dir + ": " + reason(e), e);
        }
        List<Path> files = found;
        List<Skipped> skipped = left;
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return !d.equals(start) && exclude.test(d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.add(f);
                    } else if (attrs.isSymbolicLink()) {
                        if (!Files.exists(f)) {
                            skipped.add(new Skipped(f, "dangling symbolic link"));
                        } else if (Files.isDirectory(f)) {
                            skipped.add(new Skipped(f, "symbolic link to a folder (not followed)"));
                        } else if (Files.isRegularFile(f)) {
                            files.add(f);
                        } else {
                            skipped.add(new Skipped(f, "not a regular file (FIFO, socket or device)"));
                        }
                    } else if (!attrs.isDirectory()) {
                        skipped.add(new Skipped(f, "not a regular file (FIFO, socket or device)"));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    if (f.equals(start)) {
                        throw new TorchsightException(Kind.INPUT, dir, "cannot list " + dir + ": " + reason(e));
                    }
                    skipped.add(new Skipped(f, "cannot read: " + reason(e)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    if (e != null) {
                        skipped.add(new Skipped(d, "cannot list folder: " + reason(e)));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new TorchsightException(Kind.INPUT, dir, "cannot list " + dir + ": " + reason(e), e);
        }
        List<Path> outFiles = new ArrayList<>();
        for (Path f : found) {
            outFiles.add(start == dir ? f : dir.resolve(start.relativize(f)));
        }
        List<Skipped> outSkipped = new ArrayList<>();
        for (Skipped s : left) {
            outSkipped.add(start == dir ? s : new Skipped(dir.resolve(start.relativize(s.path())), s.reason()));
        }
        outFiles.sort(Comparator.naturalOrder());
        outSkipped.sort(Comparator.comparing(Skipped::path));
        return new Listing(outFiles, outSkipped);
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemLoopException) {
            return "file system loop";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName().replace("Exception", "") + (m == null ? "" : " " + m.strip().split("\\R")[0]);
    }
}
