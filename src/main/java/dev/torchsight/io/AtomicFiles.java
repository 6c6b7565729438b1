package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files so that a reader never sees a half-written one, and a run writes all its outputs or
 * none: each file is written to a hidden temporary file next to its target, then renamed into place.
 *
 * <p>Temporary files are named {@code .NAME.~tsPID-RANDOM.tmp.EXT} (the extension stays last, as some
 * encoders pick the format from it). A process killed while writing leaves one behind; the next write
 * into the same folder deletes every such file whose process is gone (or whose process id has since
 * been reused by a process started after the file was written).
 */
public final class AtomicFiles {
    private static final Pattern TEMP = Pattern.compile("^\\..+\\.~ts(\\d{1,10})-[0-9a-f]{1,16}\\.tmp(\\.[A-Za-z0-9]{1,8})?$");
    private static final long PID = ProcessHandle.current().pid();

    private AtomicFiles() {}

    /** Writes the content of one file given its (temporary) path. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole file at {@code path}. */
        void write(Path path) throws IOException;
    }

    /**
     * Runs {@code writer} on a temporary file next to {@code target}, then moves it into place. On any
     * failure the temporary file is deleted and {@code target} is left untouched.
     */
    public static void write(Path target, Writer writer) {
        try (Transaction t = new Transaction()) {
            t.stage(target, writer);
            t.commit();
        }
    }

    /**
     * Fails with a one-line reason unless {@code target} can be written as a file: it is not a folder
     * or a special file, and its folder exists (or can be created) and is writable. Writes nothing.
     */
    public static void requireWritableFile(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new TorchsightException(Kind.OUTPUT, target, target + " is a folder; give a file name");
        }
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(absolute)
                && !Files.isSymbolicLink(absolute)) {
            throw new TorchsightException(Kind.OUTPUT, target, target + " exists and is not a regular file; give another name");
        }
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new TorchsightException(Kind.OUTPUT, target, target + " is not a file name");
        }
        requireNameLength(absolute);
        requireWritableFolder(parent);
    }

    /** Most bytes in one file name on common file systems (ext4, XFS, APFS, NTFS in UTF-16 units). */
    public static final int MAX_NAME_BYTES = 255;

    /** Fails unless the file name of {@code file} fits the file system's limit (checked up front, not at the rename). */
    public static void requireNameLength(Path file) {
        Path name = file.getFileName();
        if (name != null && name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new TorchsightException(Kind.OUTPUT, file, "the file name " + name.toString().substring(0, 40)
                    + "... is longer than " + MAX_NAME_BYTES + " bytes; use a shorter name");
        }
    }

    /**
     * Fails with a one-line reason unless {@code dir} is a writable folder or can be created as one
     * (its nearest existing ancestor is a writable folder). Creates nothing.
     */
    public static void requireWritableFolder(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            if (Files.isSymbolicLink(existing)) {
                throw new TorchsightException(Kind.OUTPUT, dir, existing + " is a dangling symbolic link; remove it or give another folder");
            }
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new TorchsightException(Kind.OUTPUT, dir, "no existing folder above " + dir);
        }
        if (!Files.isDirectory(existing)) {
            throw new TorchsightException(Kind.OUTPUT, dir, existing + " is a file, not a folder; give another output location");
        }
        // Permission bits do not tell the whole story (read-only mounts, ACLs, root): try it.
        Path probe = null;
        try {
            probe = Files.createTempFile(existing, ".torchsight-probe-", ".tmp");
        } catch (IOException | SecurityException e) {
            throw new TorchsightException(Kind.OUTPUT, dir, "cannot write in folder " + existing + " ("
                    + e.getClass().getSimpleName().replace("Exception", "") + "); choose a writable location");
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a hidden, empty probe file: harmless
                }
            }
        }
    }

    /**
     * Files written together: {@link #stage} writes each to a temporary file (creating missing folders),
     * {@link #commit} moves them all into place; {@link #close} without a commit deletes the temporary
     * files and the folders it created, so a failed run leaves nothing behind.
     */
    public static final class Transaction implements AutoCloseable {
        private final Map<Path, Path> staged = new LinkedHashMap<>();
        private final Deque<Path> createdDirs = new ArrayDeque<>();
        private final Set<Path> cleaned = new HashSet<>();
        private boolean committed;

        /** Creates {@code dir} (and missing parents) now, removing them again if the transaction fails. */
        public void createFolder(Path dir) {
            try {
                makeDirs(dir.toAbsolutePath().normalize());
            } catch (IOException e) {
                throw failure(dir, e);
            }
        }

        /** Writes {@code target}'s content to a temporary file now; it appears under its name on commit. */
        public synchronized Path stage(Path target, Writer writer) {
            if (committed) {
                throw new IllegalStateException("transaction already committed");
            }
            Path absolute = target.toAbsolutePath().normalize();
            if (staged.containsKey(absolute)) {
                throw new TorchsightException(Kind.OUTPUT, target, "two outputs of this run are both named " + target);
            }
            Path tmp = null;
            try {
                if (Files.isDirectory(absolute)) {
                    throw new IOException(target + " is a folder");
                }
                Path dir = absolute.getParent();
                makeDirs(dir);
                if (cleaned.add(dir)) {
                    removeStale(dir);
                }
                tmp = dir.resolve(tempName(absolute.getFileName().toString()));
                writer.write(tmp);
                if (!Files.isRegularFile(tmp)) {
                    throw new IOException("nothing was written");
                }
                makeReadable(tmp);
                staged.put(absolute, tmp);
                return absolute;
            } catch (IOException | UncheckedIOException e) {
                deleteQuietly(tmp);
                throw failure(target, e);
            } catch (RuntimeException e) {
                deleteQuietly(tmp);
                throw e;
            }
        }

        /** Moves every staged file into place. */
        public synchronized void commit() {
            for (Map.Entry<Path, Path> e : staged.entrySet()) {
                try {
                    try {
                        Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException x) {
                        Files.move(e.getValue(), e.getKey(), StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException x) {
                    throw failure(e.getKey(), x);
                }
            }
            staged.clear();
            committed = true;
        }

        /** Rolls back what was not committed. */
        @Override
        public synchronized void close() {
            staged.values().forEach(AtomicFiles::deleteQuietly);
            staged.clear();
            if (!committed) {
                while (!createdDirs.isEmpty()) {
                    try {
                        Files.deleteIfExists(createdDirs.pop());  // only when empty: never removes anything else
                    } catch (IOException ignored) {
                        // not empty or gone: leave it
                    }
                }
            }
        }

        private void makeDirs(Path dir) throws IOException {
            List<Path> missing = new ArrayList<>();
            for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
                missing.add(p);
            }
            for (int i = missing.size() - 1; i >= 0; i--) {
                Files.createDirectory(missing.get(i));
                createdDirs.push(missing.get(i));
            }
        }
    }

    private static TorchsightException failure(Path target, Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new TorchsightException(Kind.OUTPUT, target, "cannot write " + target + ": " + reason.strip().split("\\R")[0]
                + "; check that the folder exists and is writable", e);
    }

    private static String tempName(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot > 0 && name.length() - dot <= 9 ? name.substring(dot) : "";
        String stem = name.length() > 120 ? name.substring(0, 120) : name;  // stays within NAME_MAX
        return "." + stem + ".~ts" + PID + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4)
                + ".tmp" + extension;
    }

    /** Deletes temporary files in {@code dir} left by torchsight processes that no longer run. */
    static void removeStale(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.~ts*.tmp*")) {
            for (Path f : files) {
                Matcher m = TEMP.matcher(f.getFileName().toString());
                if (m.matches() && isStale(Long.parseLong(m.group(1)), f)) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // cleaning is best effort; writing does not depend on it
        }
    }

    private static boolean isStale(long pid, Path file) throws IOException {
        if (pid == PID) {
            return false;  // this JVM's own, possibly being written now
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Optional<Instant> started = process.get().info().startInstant();
        FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
        // The id now belongs to a process started after the file was last written: the writer is gone.
        return started.isPresent() && started.get().isAfter(modified.toInstant().plusSeconds(1));
    }

    /** Temp files are created owner-only; results are ordinary files (rw-r--r--). */
    private static void makeReadable(Path tmp) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the temp file is hidden and named after the target; a later run removes it
            }
        }
    }
}
