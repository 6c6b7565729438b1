package dev.torchsight.io;

import dev.torchsight.core.TorchsightException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The data-file formats torchsight reads, and the one rule that recognises them: the file name's
 * extension says which format is meant, and the content must agree. Names are matched on their
 * ending only (after an optional {@code .gz}), never on a substring; gzip itself is recognised by its
 * magic bytes, so {@code x.npy.gz} and a gzip file named {@code x.npy} both read.
 * <ul>
 *   <li>{@link #NPY}: {@code .npy}; content starts with {@code \x93NUMPY}.</li>
 *   <li>{@link #IDX}: {@code -ubyte}, {@code .idx} or {@code .idx1} .. {@code .idx9} (MNIST's names, e.g.
 *       {@code train-images-idx3-ubyte.gz}); content starts with two zero bytes, a known type code and
 *       a dimension count.</li>
 *   <li>{@link #TEXT}: {@code .csv}, {@code .tsv} or {@code .txt}; content is UTF-8 text.</li>
 * </ul>
 */
public enum DataFormat {
    /** NumPy's .npy array file. */
    NPY,
    /** MNIST's IDX array file. */
    IDX,
    /** Delimited text: numbers per row (vectors) or one label per line (labels). */
    TEXT;

    /** The accepted names, for messages. */
    static final String ACCEPTED = ".npy, IDX (-ubyte, .idx, .idx1-.idx9) or text (.csv, .tsv, .txt), each optionally .gz";

    /** The format a file name asks for, or null when its extension is not one of ours. */
    public static DataFormat byName(Path path) {
        String name = InputFiles.baseName(path);
        if (name.endsWith(".npy")) {
            return NPY;
        }
        if (name.endsWith("-ubyte") || name.endsWith(".idx") || name.matches(".*\\.idx[1-9]")) {
            return IDX;
        }
        if (name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt")) {
            return TEXT;
        }
        return null;
    }

    /**
     * The format of a data file, from its name and checked against its first bytes.
     *
     * @throws dev.torchsight.core.TorchsightException (kind INPUT) when the name is not a known format
     *     or the content is not what the name says
     */
    public static DataFormat detect(Path path) {
        return detect(path, new Source(path.toString(), Kind.INPUT), null);
    }

    /** Detection for a given purpose; {@code fallback} is used for names with no known extension (null: fail). */
    static DataFormat detect(Path path, Source src, DataFormat fallback) {
        DataFormat format = byName(path);
        if (format == null && fallback == null) {
            String name = InputFiles.baseName(path);
            String hint = name.endsWith(".npz") ? "; take one array out with numpy.load(f)[key] and numpy.save it as .npy"
                    : "";
            throw src.error(path.getFileName(), "unknown " + (src.kind() == Kind.LABELS ? "labels" : "input")
                    + " format (by its name); use " + ACCEPTED + hint);
        }
        format = format == null ? fallback : format;
        byte[] head;
        try (InputFiles.Input in = InputFiles.open(path, src)) {
            head = in.peek(64);
        }
        String looks = describe(head);
        // Content that is recognisably another format is refused here; content that is merely broken
        // is left to the format's reader, which says exactly what is wrong with it.
        if (!format.matches(head) && (format == TEXT || looks != null)) {
            throw src.error(path.getFileName(), "is not " + format.title() + " as its name says"
                    + (looks == null ? "" : ": its content looks like " + looks) + "; "
                    + (format == TEXT && (looks == null || looks.startsWith("UTF-16")) ? "save it as UTF-8 text"
                    : "name the file for what it holds (" + ACCEPTED + ")"));
        }
        return format;
    }

    private String title() {
        return switch (this) {
            case NPY -> "a NumPy .npy file";
            case IDX -> "an IDX file";
            case TEXT -> "a text file";
        };
    }

    /** Whether the first bytes (after gzip) fit this format. An empty file passes, for the reader to report. */
    boolean matches(byte[] head) {
        return switch (this) {
            case NPY -> isNpy(head) || head.length < 6;
            case IDX -> isIdx(head) || head.length < 4;
            case TEXT -> isText(head);
        };
    }

    static boolean isNpy(byte[] h) {
        return h.length >= 6 && (h[0] & 0xff) == 0x93 && new String(h, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY");
    }

    static boolean isIdx(byte[] h) {
        return h.length >= 4 && h[0] == 0 && h[1] == 0 && IdxFile.width(h[2] & 0xff) > 0 && h[3] >= 1 && h[3] <= 16;
    }

    static boolean isText(byte[] h) {
        if (h.length >= 2 && ((h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xfe || (h[0] & 0xff) == 0xfe && (h[1] & 0xff) == 0xff)) {
            return false;  // UTF-16
        }
        for (byte b : h) {
            if (b == 0) {
                return false;
            }
        }
        return true;
    }

    /** What some bytes look like, for messages; null when nothing is recognised. */
    static String describe(byte[] h) {
        if (isNpy(h)) {
            return "a NumPy .npy file";
        }
        if (h.length >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4) {
            return "a ZIP archive (e.g. NumPy's .npz)";
        }
        if (h.length >= 4 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {
            return "a PNG image";
        }
        if (h.length >= 3 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xd8 && (h[2] & 0xff) == 0xff) {
            return "a JPEG image";
        }
        if (isIdx(h)) {
            return "an IDX file";
        }
        if (h.length >= 2 && ((h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xfe || (h[0] & 0xff) == 0xfe && (h[1] & 0xff) == 0xff)) {
            return "UTF-16 text (save it as UTF-8)";
        }
        if (h.length > 0 && isText(h)) {
            return "text";
        }
        return null;
    }
}
