package dev.torchsight.io;

import dev.torchsight.core.TorchsightException.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads vectors and labels from data files, choosing the reader by {@link DataFormat} (the name's
 * extension, confirmed by the content). Every failure is a one-line
 * {@link dev.torchsight.core.TorchsightException}: kind INPUT for vectors, LABELS for labels, LIMIT
 * when the data does not fit the heap (a row limit or a larger {@code -Xmx} helps).
 */
public final class DataFiles {
    private DataFiles() {}

    /**
     * Rows read from a vectors file.
     *
     * @param matrix the rows read (at most the row limit), one sample per row
     * @param fileRows how many rows the file holds: the count labels must match
     * @param imageShape for IDX files of 3 dimensions, {@code {1, rows, cols}} of each item (a
     *     one-channel image); null otherwise
     */
    public record Vectors(FloatMatrix matrix, long fileRows, long[] imageShape) { }

    /** Reads every sample as a float row: .npy, IDX or numeric text; see {@link #readVectors(Path, int)}. */
    public static FloatMatrix readVectors(Path path) {
        return readVectors(path, Integer.MAX_VALUE).matrix();
    }

    /**
     * Reads at most {@code maxRows} samples as float rows, without allocating for the rest:
     * .npy (numbers of any dtype but complex/object/string; more than 2 dimensions are flattened per
     * row), IDX (unsigned bytes scaled to [0, 1]; items flattened), or numeric text (see {@link CsvFile}),
     * each optionally gzip-compressed. Values are not checked for NaN here; see
     * {@link FloatMatrix#requireFinite}.
     */
    public static Vectors readVectors(Path path, int maxRows) {
        Source src = new Source(path.toString(), Kind.INPUT);
        switch (DataFormat.detect(path, src, null)) {
            case NPY: {
                NpyFile npy = NpyFile.read(path, maxRows, Kind.INPUT);
                return new Vectors(npy.asMatrix().head(maxRows), npy.rows(), null);
            }
            case IDX: {
                IdxFile idx = IdxFile.read(path, maxRows, Kind.INPUT);
                int[] dims = idx.dims();
                long[] shape = dims.length == 3 ? new long[] {1, dims[1], dims[2]} : null;
                return new Vectors(idx.asMatrix(), idx.count(), shape);
            }
            default: {
                CsvFile.Rows rows = CsvFile.read(path, maxRows, src);
                return new Vectors(rows.matrix(), rows.totalRows(), null);
            }
        }
    }

    /** Reads labels, one per sample; see {@link #readLabels(Path, long)}. */
    public static Labels readLabels(Path path) {
        return readLabels(path, -1);
    }

    /**
     * Reads labels and checks there is exactly one per row: .npy (whole numbers, shape (N,) or (N, 1)),
     * IDX labels (one dimension of integers), or text — {@code .txt}, {@code .csv}, {@code .tsv} or a
     * name without an extension — holding one label per line (any text; surrounding spaces are trimmed;
     * blank lines at the end are ignored, elsewhere they are an error).
     *
     * @param expectedRows the number of rows the labels belong to, or -1 to accept any count
     * @throws dev.torchsight.core.TorchsightException kind LABELS, when unreadable or the count differs
     */
    public static Labels readLabels(Path path, long expectedRows) {
        Source src = new Source(path.toString(), Kind.LABELS);
        String name = InputFiles.baseName(path);
        DataFormat fallback = name.contains(".") ? null : DataFormat.TEXT;
        Labels labels = switch (DataFormat.detect(path, src, fallback)) {
            case NPY -> Labels.ofIds(NpyFile.read(path, Integer.MAX_VALUE, Kind.LABELS).asLabels());
            case IDX -> Labels.ofIds(IdxFile.read(path, Integer.MAX_VALUE, Kind.LABELS).asLabels());
            default -> textLabels(path, src, name.endsWith(".csv"));
        };
        if (expectedRows >= 0) {
            labels.requireCount(expectedRows, path.toString());
        }
        return labels;
    }

    private static Labels textLabels(Path path, Source src, boolean csv) {
        List<String> names = new ArrayList<>();
        int blank = 0;
        try (TextLines lines = new TextLines(InputFiles.open(path, src))) {
            for (String line; (line = lines.next()) != null; ) {
                String label = line.strip();
                if (label.isEmpty()) {
                    blank = blank == 0 ? lines.number() : blank;
                    continue;
                }
                if (blank > 0) {
                    throw src.error(blank, "line " + blank + " is blank between labels; give one label on every line");
                }
                if (csv && label.indexOf(',') >= 0) {
                    throw src.error(label, "line " + lines.number() + " holds several comma-separated values; "
                            + "a labels file has one label per line (one column, no header or index)");
                }
                names.add(label.length() > 2 && label.startsWith("\"") && label.endsWith("\"")
                        ? label.substring(1, label.length() - 1) : label);
            }
        }
        if (names.isEmpty()) {
            throw src.error(0, "holds no labels; give one label per line");
        }
        return Labels.ofNames(names);
    }
}
