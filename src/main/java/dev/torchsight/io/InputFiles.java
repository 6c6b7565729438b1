package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opening input files with one clear message for the common failures. Whether a file is gzip is
 * decided by its first two bytes (1f 8b), not by its name; a {@code .gz} suffix is only dropped
 * before the remaining name is matched against the known formats.
 */
final class InputFiles {
    private static final int BUFFER = 1 << 16;

    private InputFiles() {}

    /** Fails (kind INPUT) with a clear message unless {@code path} is a readable regular file. */
    static void requireReadable(Path path, String what) {
        requireReadable(path, new Source(what + " " + path, dev.torchsight.core.TorchsightException.Kind.INPUT));
    }

    /** Fails with a clear message unless {@code path} is a readable regular file. */
    static void requireReadable(Path path, Source src) {
        if (!Files.exists(path)) {
            throw src.error(path, "file not found; check the path");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw src.error(path, Files.isDirectory(path) ? "is a folder, not a file; give a file"
                    : "is not a readable file; check its permissions");
        }
    }

    /** Opens a file for reading, un-gzipping it when its content is gzip. */
    static Input open(Path path, Source src) {
        requireReadable(path, src);
        try {
            long size = Files.size(path);
            InputStream raw = new BufferedInputStream(Files.newInputStream(path), BUFFER);
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return new Input(raw, size, false, src);
            }
            try {
                return new Input(new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER), -1, true, src);
            } catch (IOException e) {
                raw.close();
                throw e;
            }
        } catch (IOException e) {
            throw Input.failure(e, src, path.toString().endsWith(".gz") || e instanceof ZipException);
        }
    }

    /** Reads all bytes of a file (un-gzipped), refusing files larger than the heap can hold. */
    static byte[] readAll(Path path, Source src) {
        try (Input in = open(path, src)) {
            return in.readRest();
        }
    }

    /** Reads all bytes of a stream, un-gzipping when {@code gzip}. */
    static byte[] readAll(InputStream in, boolean gzip) throws IOException {
        try (InputStream s = gzip ? new GZIPInputStream(new BufferedInputStream(in)) : in) {
            return s.readAllBytes();
        }
    }

    /** The lower-case file name without a trailing .gz. */
    static String baseName(Path path) {
        Path file = path.getFileName();
        String name = file == null ? "" : file.toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    /**
     * An open input: its (decompressed) bytes, and its size when known before reading (plain files).
     * Every read failure becomes one {@link TorchsightException} line.
     */
    static final class Input implements AutoCloseable {
        private final InputStream in;
        private final long plainSize;
        private final boolean gzip;
        private final Source src;
        private long position;

        Input(InputStream in, long plainSize, boolean gzip, Source src) {
            this.in = in;
            this.plainSize = plainSize;
            this.gzip = gzip;
            this.src = src;
        }

        /** The file's length in bytes, or -1 when it is gzip (the length is known only at the end). */
        long plainSize() {
            return plainSize;
        }

        /** Whether the content was gzip-compressed. */
        boolean gzip() {
            return gzip;
        }

        /** Bytes consumed so far (after decompression). */
        long position() {
            return position;
        }

        /** Up to {@code n} bytes from the current position without consuming them. */
        byte[] peek(int n) {
            try {
                in.mark(n);
                byte[] b = in.readNBytes(n);
                in.reset();
                return b;
            } catch (IOException e) {
                throw failure(e, src, gzip);
            }
        }

        /** Exactly {@code n} bytes, or a "truncated" error naming {@code what} was being read. */
        byte[] read(int n, String what) {
            byte[] b = new byte[n];
            readFully(b, 0, n, what);
            return b;
        }

        /**
         * Exactly {@code n} bytes, allocating as they arrive (at most double what was read), so a
         * header that declares more than the stream holds fails as truncated without a giant allocation.
         */
        byte[] readGrowing(int n, String what) {
            byte[] b = new byte[Math.min(n, 1 << 20)];
            int got = 0;
            while (got < n) {
                if (got == b.length) {
                    b = java.util.Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
                }
                int chunk = b.length - got;
                readFully(b, got, chunk, what);
                got += chunk;
            }
            return b;
        }

        /** Fills {@code b[off, off+len)} or fails with a "truncated" error. */
        void readFully(byte[] b, int off, int len, String what) {
            try {
                int got = in.readNBytes(b, off, len);
                position += got;
                if (got < len) {
                    throw src.error(position, "the file ends after " + position + " bytes, inside " + what
                            + "; it is truncated (download or write it again)");
                }
            } catch (IOException e) {
                throw failure(e, src, gzip);
            }
        }

        /** Reads and discards the rest, returning how many bytes there were. */
        long skipRest() {
            try {
                long n = 0;
                byte[] sink = new byte[BUFFER];
                for (int got; (got = in.read(sink)) > 0; ) {
                    n += got;
                }
                position += n;
                return n;
            } catch (IOException e) {
                throw failure(e, src, gzip);
            }
        }

        /** Everything left, refusing more than the heap can hold. */
        byte[] readRest() {
            long known = plainSize >= 0 ? plainSize - position : -1;
            if (known > Integer.MAX_VALUE - 8) {
                throw src.error(known, "is " + HeapBudget.size(known) + ", larger than torchsight reads in one piece");
            }
            if (known >= 0) {
                HeapBudget.require(known, src, "its " + known + " bytes", known);
                return read((int) known, "the file");
            }
            try {
                byte[] b = in.readNBytes(Integer.MAX_VALUE - 8);
                position += b.length;
                if (in.read() >= 0) {
                    throw src.error(null, "decompresses to more than 2 GiB, more than torchsight reads in one piece");
                }
                return b;
            } catch (IOException e) {
                throw failure(e, src, gzip);
            }
        }

        /** The underlying stream, for text decoding; failures must go through {@link #failure}. */
        InputStream stream() {
            return in;
        }

        Source source() {
            return src;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // nothing was lost: every byte needed has been read
            }
        }

        /** One line for an I/O failure; for gzip it says the archive is corrupt or cut short. */
        static TorchsightException failure(IOException e, Source src, boolean gzip) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (gzip || e instanceof ZipException) {
                String what = e instanceof EOFException ? "is a truncated gzip file" : "is a corrupt gzip file";
                return src.error(null, what + " (" + reason + "); download or compress it again", e);
            }
            return src.error(null, "cannot be read: " + reason, e);
        }
    }
}
