package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.Locale;

/**
 * Checks a reader's allocation against the Java heap before it is made, so that a file declaring
 * more data than fits fails with advice instead of an {@link OutOfMemoryError} half-way through.
 */
final class HeapBudget {
    private HeapBudget() {}

    /** Bytes the heap can still give: the maximum heap less what is in use now. */
    static long available() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Fails unless {@code bytes} more fit in the heap.
     *
     * @param what what needs the memory, e.g. "60000 x 784 values"
     * @param rows rows that would be read, the value a row limit lowers
     */
    static void require(long bytes, Source src, String what, long rows) {
        long free = available();
        if (bytes <= free) {
            return;
        }
        long used = Runtime.getRuntime().maxMemory() - free;
        long suggestGiB = Math.max(1, (bytes + used + (1L << 30) - 1) >> 30);
        throw new TorchsightException(Kind.LIMIT, rows, String.format(Locale.ROOT,
                "%s: %s need %s but the Java heap has %s free; read fewer rows with a row limit, "
                        + "or give Java more heap (java -Xmx%dg ...)", src.name(), what, size(bytes), size(free),
                suggestGiB));
    }

    /** A byte count for people: "1.5 GiB", "12 MiB", "300 bytes". */
    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}
