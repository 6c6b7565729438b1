package dev.torchsight.cli;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.AtomicFiles;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Up-front checks of option values, run before any file is read or any native code is called, so a
 * bad value costs a line, not a run (or a hang, or a native crash). Each message names the flag.
 */
final class Checks {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Largest network input side (pixels): 4096 x 4096 x 3 floats is 192 MiB per image. */
    static final int MAX_SIZE = 4096;
    /** Smallest network input side; below it no CNN keeps a spatial map. */
    static final int MIN_SIZE = 8;
    /** Largest batch: larger batches only add memory, never speed. */
    static final int MAX_BATCH = 4096;
    /** Largest thread count accepted (more threads than this only add contention). */
    static final int MAX_THREADS = 256;
    /** Largest t-SNE iteration count (openTSNE and scikit-learn use 500 to 1,000). */
    static final int MAX_ITERATIONS = 100_000;
    /** Largest --pool side. */
    static final int MAX_POOL = 1024;
    /** Largest --channels of the layers probe. */
    static final int MAX_CHANNELS = 1024;
    /** Bounds of a normalisation statistic; beyond them the float pipeline overflows or loses all precision. */
    static final double MAX_MEAN = 1e6;
    static final double MIN_STD = 1e-6;
    static final double MAX_STD = 1e6;

    private Checks() {}

    static TorchsightException bad(Kind kind, Object value, String message) {
        return new TorchsightException(kind, value, message);
    }

    /** {@code value} within [min, max]. */
    static void range(Kind kind, String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw bad(kind, value, flag + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** {@code value} finite and within [min, max]. */
    static void range(Kind kind, String flag, double value, double min, double max) {
        if (!Double.isFinite(value) || value < min || value > max) {
            throw bad(kind, value, flag + " must be a number between " + fmt(min) + " and " + fmt(max) + ", got "
                    + fmt(value));
        }
    }

    /** {@code value} at least {@code min}. */
    static void atLeast(Kind kind, String flag, long value, long min) {
        if (value < min) {
            throw bad(kind, value, flag + " must be at least " + min + ", got " + value);
        }
    }

    /** Network input side. */
    static void size(String flag, int size) {
        range(Kind.INPUT_SIZE, flag, size, MIN_SIZE, MAX_SIZE);
    }

    static void batchSize(int batchSize) {
        range(Kind.BATCH_SIZE, "--batch-size", batchSize, 1, MAX_BATCH);
    }

    static void threads(Integer threads) {
        if (threads != null) {
            range(Kind.THREADS, "--threads", threads, 1, MAX_THREADS);
        }
    }

    /** Three finite values: R,G,B. */
    static void meanStd(double[] mean, double[] std) {
        if (mean == null || mean.length != 3) {
            throw bad(Kind.MEAN, null, "--mean needs 3 values R,G,B (e.g. 0.485,0.456,0.406), got "
                    + (mean == null ? 0 : mean.length));
        }
        if (std == null || std.length != 3) {
            throw bad(Kind.STD, null, "--std needs 3 values R,G,B (e.g. 0.229,0.224,0.225), got "
                    + (std == null ? 0 : std.length));
        }
        for (double m : mean) {
            range(Kind.MEAN, "--mean", m, -MAX_MEAN, MAX_MEAN);
        }
        for (double s : std) {
            range(Kind.STD, "--std", s, MIN_STD, MAX_STD);
        }
    }

    /**
     * One batch of network inputs must fit in memory: {@code images x channels x size x size} floats,
     * with room left for the model's own activations (half of the available memory).
     */
    static void inputMemory(long images, long channels, int size, String advice) {
        long bytes = images * channels * size * (long) size * Float.BYTES;
        long available = Pointer.availablePhysicalBytes();
        if (available > 0 && bytes > available / 2) {
            throw bad(Kind.MEMORY, bytes, String.format(Locale.ROOT,
                    "%d input(s) of %d x %d x %d need %.1f GiB but only %.1f GiB of memory is free; %s",
                    images, channels, size, size, bytes / 1073741824.0, available / 1073741824.0, advice));
        }
    }

    /** An output file: a known extension, a place that can be written, not a folder. */
    static void outputFile(Path file, String flag, String... extensions) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean known = false;
        for (String ext : extensions) {
            known |= name.endsWith(ext) && name.length() > ext.length();
        }
        if (!known) {
            throw bad(Kind.OUTPUT, file, flag + " " + file + " has an unknown format; use a file name ending in "
                    + String.join(" or ", extensions));
        }
        try {
            AtomicFiles.requireWritableFile(file);
        } catch (TorchsightException e) {
            throw bad(Kind.OUTPUT, file, flag + ": " + e.getMessage());
        }
    }

    /** An output folder: a folder or nothing yet, in a place that can be written. */
    static void outputFolder(Path dir, String flag) {
        try {
            AtomicFiles.requireWritableFolder(dir);
        } catch (TorchsightException e) {
            throw bad(Kind.OUTPUT, dir, flag + ": " + e.getMessage());
        }
    }

    /** Two outputs must not be the same file. */
    static void distinct(Path a, String flagA, Path b, String flagB) {
        if (a != null && b != null && a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            throw bad(Kind.OUTPUT, b, flagA + " and " + flagB + " name the same file " + a + "; give two different files");
        }
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
