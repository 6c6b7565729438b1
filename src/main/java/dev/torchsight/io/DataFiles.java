package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Picks the reader for a vectors or labels file from its name: NPY, CSV, IDX (each optionally .gz). */
public final class DataFiles {
    private DataFiles() {}

    /** Reads samples as float rows from .npy, .csv, or IDX (.idx, *-ubyte, *.idx3/idx1, optionally .gz). */
    public static FloatMatrix readVectors(Path path) {
        InputFiles.requireReadable(path, "input");
        String name = InputFiles.baseName(path);
        if (name.endsWith(".npy")) {
            return NpyFile.read(path).asMatrix();
        }
        if (name.endsWith(".csv")) {
            return CsvFile.read(path);
        }
        if (isIdx(name)) {
            return IdxFile.read(path).asMatrix();
        }
        throw new TorchsightException("unknown input format: " + path.getFileName()
                + "; use .npy (float32/float64), .csv, or IDX images (.idx, -ubyte, optionally .gz)");
    }

    /** Reads labels from .npy (integers), IDX labels, or text (one label per line, any names). */
    public static Labels readLabels(Path path) {
        InputFiles.requireReadable(path, "labels");
        String name = InputFiles.baseName(path);
        if (name.endsWith(".npy")) {
            return Labels.ofIds(NpyFile.read(path).asLabels());
        }
        if (isIdx(name)) {
            return Labels.ofIds(IdxFile.read(path).asLabels());
        }
        if (name.endsWith(".txt") || name.endsWith(".csv") || name.endsWith(".tsv") || !name.contains(".")) {
            String text = new String(InputFiles.readAll(path, "labels"), StandardCharsets.UTF_8);
            List<String> lines = Arrays.stream(text.split("\r?\n")).map(String::trim).toList();
            int end = lines.size();
            while (end > 0 && lines.get(end - 1).isEmpty()) {
                end--;
            }
            return Labels.ofNames(lines.subList(0, end));
        }
        throw new TorchsightException("unknown labels format: " + path.getFileName()
                + "; use .npy (integers), IDX labels (-ubyte, .idx, optionally .gz) or .txt (one per line)");
    }

    private static boolean isIdx(String name) {
        return name.endsWith(".idx") || name.endsWith("-ubyte") || name.matches(".*\\.idx\\d(-ubyte)?$");
    }
}
