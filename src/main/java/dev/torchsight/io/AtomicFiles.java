package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that a reader never sees a half-written one: a temp file, then a rename. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of one file given its (temporary) path. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole file at {@code path}. */
        void write(Path path) throws IOException;
    }

    /** Temp files are created owner-only; results are ordinary files (rw-r--r--). */
    private static void makeReadable(Path tmp) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
    }

    /**
     * Runs {@code writer} on a temporary file next to {@code target}, then moves it into place. On any
     * failure the temporary file is deleted and {@code target} is left untouched.
     */
    public static void write(Path target, Writer writer) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // Keep the extension last: some encoders append one when the name lacks it.
            String name = absolute.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String extension = dot > 0 ? name.substring(dot) : "";
            tmp = Files.createTempFile(dir, "." + name + ".", ".tmp" + extension);
            writer.write(tmp);
            makeReadable(tmp);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new TorchsightException("cannot write " + target + ": " + e.getMessage()
                    + "; check that the folder exists and is writable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file is hidden and named after the target
                }
            }
        }
    }
}
