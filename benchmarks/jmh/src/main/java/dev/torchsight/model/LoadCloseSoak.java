package dev.torchsight.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resident memory over many model load/close cycles, the way a long-running JVM tool reloads models,
 * with no {@code System.gc()} anywhere (native memory must be freed by {@code close()}, not by the
 * collector). Each cycle leaves ~150 KB of ordinary Java garbage (JavaCPP handles), and until the
 * collector first runs, RSS also grows by the young generation's pages being touched for the first
 * time; so the warm-up lasts 20 cycles and until the first (natural) collection, and the line also
 * prints RSS minus the Java heap in use, which is the native side alone. Bar: RSS growth < 5 %.
 * Usage: java -cp benchmarks.jar dev.torchsight.model.LoadCloseSoak MODEL.pt [CYCLES=200]
 */
public final class LoadCloseSoak {
    private LoadCloseSoak() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int warmUp = 0;
        while (warmUp < 20 || collections() == 0) {
            cycle(file);
            warmUp++;
        }
        long warm = rssKb();
        long warmNative = warm - heapUsedKb();
        long start = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            cycle(file);
        }
        long end = rssKb();
        long endNative = end - heapUsedKb();
        System.out.printf(Locale.ROOT, "%d load/close cycles of %s in %.1f s after a warm-up of %d; RSS %d MB -> %d MB: "
                + "growth %.2f%% (bar: < 5%%); RSS minus Java heap in use %d MB -> %d MB (%+.2f%%)%n", cycles,
                file.getFileName(), (System.nanoTime() - start) / 1e9, warmUp, warm / 1024, end / 1024,
                100.0 * (end - warm) / warm, warmNative / 1024, endNative / 1024, 100.0 * (endNative - warmNative) / warmNative);
    }

    private static void cycle(Path file) {
        try (Model model = Model.load(file)) {
            model.layerNames();
        }
    }

    private static long collections() {
        long n = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long heapUsedKb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / 1024;
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
