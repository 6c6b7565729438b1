package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Numeric text tables: one sample per line. What is accepted (and nothing else):
 * <ul>
 *   <li>UTF-8 (a byte-order mark is dropped), optionally gzip-compressed; lines end in \n, \r\n or \r.</li>
 *   <li>Values separated by commas, or by tabs, or by runs of spaces ({@code numpy.savetxt}'s default) —
 *       whichever the first line uses, in that order of preference. A semicolon in the first line is
 *       refused with advice (semicolons usually come with decimal commas, which would be misread).</li>
 *   <li>Cells may be double-quoted (Python's csv module, {@code QUOTE_ALL}); {@code ""} is an escaped quote.</li>
 *   <li>Blank lines and lines starting with {@code #} ({@code numpy.savetxt}'s header) are skipped.</li>
 *   <li>A first line with a cell that is not a number is a header. A header whose first cell is empty
 *       (what pandas' {@code DataFrame.to_csv} writes for its index) marks the first column as a row
 *       index, which is dropped.</li>
 *   <li>Numbers in decimal or scientific notation; {@code nan}, {@code inf}, {@code -inf} (any case) are
 *       read and left to {@link FloatMatrix#requireFinite} to report by row and column. A finite value
 *       beyond float32's range, an empty cell (a missing value), any other text, and rows of unequal
 *       length fail with the line and column.</li>
 * </ul>
 */
public final class CsvFile {
    private CsvFile() {}

    /** Reads a numeric text table into rows of floats. */
    public static FloatMatrix read(Path path) {
        return read(path, Integer.MAX_VALUE, new Source(path.toString(), Kind.INPUT)).matrix();
    }

    /** The first rows read, and how many data rows the file holds. */
    record Rows(FloatMatrix matrix, long totalRows) { }

    /** Reads at most {@code maxRows} data rows; the remaining data lines are counted, not parsed. */
    static Rows read(Path path, int maxRows, Source src) {
        try (TextLines lines = new TextLines(InputFiles.open(path, src))) {
            return read(lines, maxRows, src);
        }
    }

    private static Rows read(TextLines lines, int maxRows, Source src) {
        String line;
        boolean sawAnything = false;
        Character delimiter = null;
        boolean indexColumn = false;
        int headerCells = -1;
        int cols = -1;
        int rows = 0;
        long total = 0;
        float[] v = new float[256];
        while ((line = lines.next()) != null) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                sawAnything |= !trimmed.isEmpty();
                continue;
            }
            sawAnything = true;
            if (delimiter == null) {
                delimiter = delimiter(trimmed, lines.number(), src);
                List<String> cells = split(trimmed, delimiter, lines.number(), src);
                if (cells.stream().anyMatch(c -> !c.isEmpty() && !isNumber(c))) {
                    headerCells = cells.size();
                    indexColumn = cells.get(0).isEmpty() && cells.size() > 1;
                    continue;
                }
            }
            total++;
            if (rows >= maxRows) {
                continue;  // beyond the row limit: counted only
            }
            List<String> cells = split(trimmed, delimiter, lines.number(), src);
            if (headerCells >= 0 && cells.size() != headerCells) {
                throw src.error(cells.size(), "line " + lines.number() + " has " + cells.size()
                        + " values but the header names " + headerCells + " columns; every row needs the same number of values");
            }
            int skip = indexColumn ? 1 : 0;
            int n = cells.size() - skip;
            if (cols < 0) {
                cols = n;
            } else if (n != cols) {
                throw src.error(cells.size(), "line " + lines.number() + " has " + cells.size()
                        + " values but earlier lines have " + (cols + skip) + "; every row needs the same number of values");
            }
            long needed = (long) (rows + 1) * cols;
            if (needed > v.length) {
                long grown = Math.max(needed, 2L * v.length);
                if (needed > Integer.MAX_VALUE - 8) {
                    throw new TorchsightException(Kind.LIMIT, rows, src.name() + ": " + rows + " rows of " + cols
                            + " values are more than one Java array holds; read fewer rows with a row limit");
                }
                grown = Math.min(grown, Integer.MAX_VALUE - 8);
                HeapBudget.require(4 * grown, src, rows + " rows of " + cols + " values", rows);
                v = Arrays.copyOf(v, (int) grown);
            }
            for (int c = 0; c < cols; c++) {
                v[rows * cols + c] = parse(cells.get(c + skip), lines.number(), c + skip + 1, src);
            }
            rows++;
        }
        if (!sawAnything) {
            throw src.error(0, "the file is empty; write one sample per line, values separated by commas");
        }
        if (total == 0) {
            throw src.error(0, "holds a header but no data rows; write one sample per line after the header");
        }
        return new Rows(new FloatMatrix(rows, cols, Arrays.copyOf(v, rows * cols)), total);
    }

    private static char delimiter(String line, int number, Source src) {
        if (line.indexOf(';') >= 0) {
            throw src.error(";", "line " + number + " separates values with ';' (perhaps with decimal commas); "
                    + "torchsight reads commas, tabs or spaces with a '.' decimal point (pandas: to_csv(f, sep=',', decimal='.'))");
        }
        if (line.indexOf(',') >= 0) {
            return ',';
        }
        return line.indexOf('\t') >= 0 ? '\t' : ' ';
    }

    /** Cells of a line: quote-aware for commas and tabs; runs of spaces for space-separated text. */
    private static List<String> split(String line, char delimiter, int number, Source src) {
        List<String> cells = new ArrayList<>();
        if (delimiter == ' ') {
            cells.addAll(Arrays.asList(line.strip().split("\\s+")));
            return cells;
        }
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                cell.setLength(0);
            } else if (c == delimiter) {
                cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw src.error(number, "line " + number + " has a quote that is never closed; "
                    + "quoted cells need a closing \" on the same line");
        }
        cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return cells;
    }

    private static boolean isNumber(String cell) {
        String s = cell.strip().toLowerCase(Locale.ROOT);
        return isDecimal(s) || s.matches("[+-]?(nan|inf|infinity)");
    }

    /** The NUMBER pattern without a regex (it runs once per cell): [+-]? (d+ .? d* | . d+) ([eE] [+-]? d+)? */
    private static boolean isDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static float parse(String raw, int line, int column, Source src) {
        String cell = raw.strip();
        String where = "line " + line + ", column " + column;
        if (cell.isEmpty()) {
            throw src.error("", where + " is empty (a missing value); fill in or drop missing values before saving");
        }
        if (!isDecimal(cell)) {
            String lower = cell.toLowerCase(Locale.ROOT);
            switch (lower.startsWith("+") ? lower.substring(1) : lower) {
                case "nan", "-nan":
                    return Float.NaN;
                case "inf", "infinity":
                    return Float.POSITIVE_INFINITY;
                case "-inf", "-infinity":
                    return Float.NEGATIVE_INFINITY;
                default:
                    String shown = cell.length() > 40 ? cell.substring(0, 40) + "..." : cell;
                    String hint = cell.matches("[+-]?\\d+,\\d+") ? " (a decimal comma? use '.')" : "";
                    throw src.error(shown, where + ": '" + shown + "' is not a number" + hint
                            + "; every cell after the header must be a number");
            }
        }
        float f = Float.parseFloat(cell);  // rounded once, straight to float32
        if (Float.isInfinite(f)) {
            String shown = cell.length() > 40 ? cell.substring(0, 40) + "..." : cell;
            throw src.error(shown, where + ": " + shown + " is beyond float32's range (3.4e38); rescale the data");
        }
        return f;
    }
}
