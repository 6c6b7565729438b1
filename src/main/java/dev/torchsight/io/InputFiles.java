package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Opening input files with one clear message for the common failures. */
final class InputFiles {
    private InputFiles() {}

    /** Fails with a clear message unless {@code path} is a readable regular file. */
    static void requireReadable(Path path, String what) {
        if (!Files.exists(path)) {
            throw new TorchsightException(what + " file not found: " + path + "; check the path");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new TorchsightException(what + " is not a readable file: " + path);
        }
    }

    /** Reads all bytes, transparently un-gzipping names ending in .gz. */
    static byte[] readAll(Path path, String what) {
        requireReadable(path, what);
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TorchsightException("cannot read " + what + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads all bytes of a stream, un-gzipping when {@code gzip}. */
    static byte[] readAll(InputStream in, boolean gzip) throws IOException {
        try (InputStream s = gzip ? new GZIPInputStream(new BufferedInputStream(in)) : in) {
            return s.readAllBytes();
        }
    }

    private static InputStream open(Path path) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        return isGzip(path) ? new GZIPInputStream(in, 1 << 16) : in;
    }

    static boolean isGzip(Path path) {
        return lowerName(path).endsWith(".gz");
    }

    /** The lower-case file name without a trailing .gz. */
    static String baseName(Path path) {
        String name = lowerName(path);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    private static String lowerName(Path path) {
        return path.getFileName().toString().toLowerCase(Locale.ROOT);
    }
}
