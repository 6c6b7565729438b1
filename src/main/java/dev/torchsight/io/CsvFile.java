package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Numeric CSV: one sample per line, values separated by commas; a non-numeric first line is a header. */
public final class CsvFile {
    private CsvFile() {}

    /** Reads a numeric CSV file into rows of floats. NaN/Inf cells are kept (validated later by row). */
    public static FloatMatrix read(Path path) {
        String text = new String(InputFiles.readAll(path, "CSV"), StandardCharsets.UTF_8);
        String[] lines = text.split("\r?\n");
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        if (first < lines.length && !looksNumeric(lines[first])) {
            first++;  // header
        }
        int cols = -1;
        int rows = 0;
        float[] v = new float[1024];
        for (int li = first; li < lines.length; li++) {
            String line = lines[li];
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cols < 0) {
                cols = cells.length;
            } else if (cells.length != cols) {
                throw new TorchsightException(path + ": line " + (li + 1) + " has " + cells.length
                        + " values but earlier lines have " + cols + "; every row needs the same number of columns");
            }
            if ((long) (rows + 1) * cols > v.length) {
                v = java.util.Arrays.copyOf(v, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * v.length,
                        (long) (rows + 1) * cols)));
            }
            for (int c = 0; c < cols; c++) {
                v[rows * cols + c] = parse(cells[c].trim(), path, li + 1);
            }
            rows++;
        }
        if (rows == 0) {
            throw new TorchsightException(path + " holds no data rows");
        }
        return new FloatMatrix(rows, cols, java.util.Arrays.copyOf(v, rows * cols));
    }

    private static boolean looksNumeric(String line) {
        try {
            parse(line.split(",", -1)[0].trim(), null, 0);
            return true;
        } catch (TorchsightException e) {
            return false;
        }
    }

    private static float parse(String cell, Path path, int line) {
        switch (cell.toLowerCase(java.util.Locale.ROOT)) {
            case "nan":
                return Float.NaN;
            case "inf", "+inf", "infinity":
                return Float.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Float.NEGATIVE_INFINITY;
            default:
                try {
                    return Float.parseFloat(cell);
                } catch (NumberFormatException e) {
                    throw new TorchsightException(path + ": line " + line + ": '" + cell + "' is not a number");
                }
        }
    }
}
