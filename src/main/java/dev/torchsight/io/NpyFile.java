package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's .npy format, versions 1.0, 2.0 and 3.0, as {@code numpy.save} writes it.
 *
 * <p>Accepted: dtypes float16/32/64, signed and unsigned integers of 1-8 bytes and bool, in either
 * byte order; C or Fortran order (Fortran arrays are reordered on reading); any number of
 * dimensions. Refused, each with one line saying what to do: complex, string, object and structured
 * dtypes, a header that is not NumPy's dictionary, a negative or non-integer shape, a shape whose
 * size overflows or does not match the bytes in the file, and data larger than the heap can hold.
 */
public final class NpyFile {
    /** numpy refuses longer headers by default (max_header_size); we allow far more, but not gigabytes. */
    private static final int MAX_HEADER = 1 << 20;

    private final NumericArray array;
    private final String descr;
    private final Source src;

    private NpyFile(NumericArray array, String descr, Source src) {
        this.array = array;
        this.descr = descr;
        this.src = src;
    }

    /** Reads a whole .npy file (gzip-compressed content is accepted too). */
    public static NpyFile read(Path path) {
        return read(path, Integer.MAX_VALUE, Kind.INPUT);
    }

    /**
     * Reads a .npy file, keeping at most {@code maxRows} rows of the first dimension (the rest is
     * checked for length but not kept; a Fortran-ordered file is read whole).
     *
     * @param kind the kind every error carries (INPUT for vectors, LABELS for labels)
     */
    public static NpyFile read(Path path, int maxRows, Kind kind) {
        Source src = new Source(path.toString(), kind);
        try (InputFiles.Input in = InputFiles.open(path, src)) {
            return read(in, maxRows, src);
        }
    }

    /** Parses .npy bytes; {@code source} names them in error messages. */
    public static NpyFile parse(byte[] bytes, String source) {
        Source src = new Source(source, Kind.INPUT);
        try (InputFiles.Input in = new InputFiles.Input(new ByteArrayInputStream(bytes), bytes.length, false, src)) {
            return read(in, Integer.MAX_VALUE, src);
        }
    }

    private static NpyFile read(InputFiles.Input in, int maxRows, Source src) {
        byte[] head = in.peek(8);
        if (head.length == 0) {
            throw src.error(0, "the file is empty; write it with numpy.save");
        }
        if (!DataFormat.isNpy(head)) {
            String looks = DataFormat.describe(head);
            throw src.error(null, "is not a NumPy .npy file (it does not start with \\x93NUMPY"
                    + (looks == null ? "" : "; it looks like " + looks) + "); write it with numpy.save");
        }
        byte[] prefix = in.read(8, "the .npy header");
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (major < 1 || major > 3) {
            throw src.error(major + "." + minor, "unsupported .npy format version " + major + "." + minor
                    + "; torchsight reads versions 1.0-3.0 (write it with numpy.save)");
        }
        byte[] lenBytes = in.read(major == 1 ? 2 : 4, "the .npy header length");
        ByteBuffer lb = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? lb.getShort() & 0xffff : lb.getInt() & 0xffffffffL;
        if (headerLen > MAX_HEADER) {
            throw src.error(headerLen, "the .npy header claims to be " + headerLen + " bytes long; the file is corrupt");
        }
        if (in.plainSize() >= 0 && in.position() + headerLen > in.plainSize()) {
            throw src.error(headerLen, "the .npy header claims " + headerLen + " bytes but the file ends after "
                    + in.plainSize() + "; it is truncated (write it again)");
        }
        byte[] hb = in.read((int) headerLen, "the .npy header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        Map<String, Object> dict = HeaderParser.parse(header, src);
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw src.error(header, "the .npy header has no '" + key + "' entry; write the file with numpy.save");
            }
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw src.error(dict.get("fortran_order"), "the .npy header's fortran_order is not True or False");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw src.error(dict.get("descr"), "structured dtype " + HeaderParser.text(dict.get("descr"))
                    + " is not supported; save a plain numeric array (e.g. a.astype('float32'))");
        }
        long[] shape = shape(dict.get("shape"), src);
        Dtype t = Dtype.parse(descr, src);
        NumericArray array = NumericArray.load(in, shape, t.kind, t.width, t.order, fortran, maxRows, src, descr);
        return new NpyFile(array, descr, src);
    }

    private static long[] shape(Object value, Source src) {
        if (!(value instanceof List<?> dims)) {
            throw src.error(HeaderParser.text(value), "the .npy shape " + HeaderParser.text(value)
                    + " is not a tuple of sizes; the header is corrupt");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof BigInteger b)) {
                throw src.error(HeaderParser.text(value), "the .npy shape " + HeaderParser.text(value)
                        + " holds " + HeaderParser.text(d) + ", not a whole number; the header is corrupt");
            }
            if (b.signum() < 0) {
                throw src.error(HeaderParser.text(value), "the .npy shape " + HeaderParser.text(value)
                        + " holds a negative size; the header is corrupt");
            }
            if (b.bitLength() > 62) {
                throw src.error(HeaderParser.text(value), "the .npy shape " + HeaderParser.text(value)
                        + " holds a size too large for any file; the header is corrupt");
            }
            shape[i] = b.longValue();
        }
        return shape;
    }

    /** The array's full shape as declared. */
    public long[] shape() {
        return array.shape();
    }

    /** The dtype as NumPy writes it, e.g. {@code <f4}. */
    public String dtype() {
        return descr;
    }

    /** Rows in the file (the first dimension; 1 for a 0-d array). */
    public long rows() {
        return array.totalRows();
    }

    /**
     * The rows that were read as float32, each row the flattened remaining dimensions: a 1-D array is
     * one column, (N, 28, 28) gives rows of 784. Fails for a 0-d array and for rows with no values.
     */
    public FloatMatrix asMatrix() {
        long[] shape = array.shape();
        if (shape.length == 0) {
            throw src.error(descr, "holds a single value (a 0-d array); save one row per sample, samples x features");
        }
        if (array.loadedRows() == 0) {
            throw src.error(NumericArray.shapeText(shape), "has shape " + NumericArray.shapeText(shape)
                    + ": no rows; save one row per sample");
        }
        if (array.rowValues() == 0) {
            throw src.error(NumericArray.shapeText(shape), "has shape " + NumericArray.shapeText(shape)
                    + ": the rows have no values; save samples x features with at least one feature");
        }
        return new FloatMatrix(array.loadedRows(), array.rowValues(), array.floats(false));
    }

    /** Every value that was read, flattened in C order, as float32 (any number of dimensions). */
    public float[] asFloats() {
        return array.floats(false);
    }

    /** A 1-D array, or one column (N, 1), of whole numbers as ints: class labels. */
    public int[] asLabels() {
        long[] shape = array.shape();
        if (!(shape.length == 1 || shape.length == 2 && shape[1] == 1)) {
            throw src.error(NumericArray.shapeText(shape), "labels must be a 1-D array (one per row), got shape "
                    + NumericArray.shapeText(shape));
        }
        return array.ints();
    }

    /** A NumPy dtype string: byte order, kind and width. */
    private record Dtype(char kind, int width, ByteOrder order) {
        static Dtype parse(String descr, Source src) {
            String s = descr.strip();
            char order = s.isEmpty() ? '?' : s.charAt(0);
            String rest = "<>|=".indexOf(order) >= 0 ? s.substring(1) : s;
            char kind = rest.isEmpty() ? '?' : rest.charAt(0);
            int width;
            try {
                width = Integer.parseInt(rest.substring(Math.min(1, rest.length())));
            } catch (NumberFormatException e) {
                width = -1;
            }
            boolean ok = switch (kind) {
                case 'f' -> width == 2 || width == 4 || width == 8;
                case 'i', 'u' -> width == 1 || width == 2 || width == 4 || width == 8;
                case 'b' -> width == 1;
                default -> false;
            };
            if (!ok) {
                String what = switch (kind) {
                    case 'c' -> "complex ";
                    case 'O' -> "object ";
                    case 'U', 'S', 'a' -> "string ";
                    case 'M', 'm' -> "date/time ";
                    case 'V' -> "void ";
                    default -> "";
                };
                throw src.error(descr, "unsupported dtype " + descr + " (" + what + "values); "
                        + "use float32/float64/int (e.g. numpy.save(f, a.astype('float32')))");
            }
            ByteOrder byteOrder = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            return new Dtype(kind, width, byteOrder);
        }
    }

    /**
     * The header's Python literal: a dict of string keys to strings, True/False, ints (with an optional
     * Python 2 {@code L}), tuples and lists. Anything else is a corrupt header.
     */
    private static final class HeaderParser {
        private final String s;
        private final Source src;
        private int pos;

        private HeaderParser(String s, Source src) {
            this.s = s;
            this.src = src;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> parse(String header, Source src) {
            HeaderParser p = new HeaderParser(header, src);
            Object v = p.value(0);
            p.skipSpace();
            if (p.pos != header.length() || !(v instanceof Map)) {
                throw p.corrupt();
            }
            return (Map<String, Object>) v;
        }

        static String text(Object v) {
            if (v instanceof List<?> l) {
                StringBuilder b = new StringBuilder("(");
                for (int i = 0; i < l.size(); i++) {
                    b.append(i == 0 ? "" : ", ").append(text(l.get(i)));
                }
                return b.append(l.size() == 1 ? ",)" : ")").toString();
            }
            return v instanceof String str ? "'" + str + "'" : String.valueOf(v);
        }

        private TorchsightException corrupt() {
            String shown = s.length() > 120 ? s.substring(0, 120) + "..." : s;
            return src.error(shown, "unreadable .npy header " + shown.replaceAll("\\s+", " ")
                    + "; write the file with numpy.save");
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private Object value(int depth) {
            if (depth > 16) {
                throw corrupt();
            }
            skipSpace();
            if (pos >= s.length()) {
                throw corrupt();
            }
            char c = s.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                for (List<Object> pair : items('}', depth, true)) {
                    if (!(pair.get(0) instanceof String key) || map.put(key, pair.get(1)) != null) {
                        throw corrupt();
                    }
                }
                return map;
            }
            if (c == '(' || c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                for (List<Object> item : items(c == '(' ? ')' : ']', depth, false)) {
                    list.add(item.get(0));
                }
                return list;
            }
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, pos + 1);
                if (end < 0) {
                    throw corrupt();
                }
                String str = s.substring(pos + 1, end);
                pos = end + 1;
                return str;
            }
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || "+-._".indexOf(s.charAt(pos)) >= 0)) {
                pos++;
            }
            String word = s.substring(start, pos);
            if (word.isEmpty()) {
                throw corrupt();
            }
            switch (word) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                default:
                    String digits = word.endsWith("L") || word.endsWith("l") ? word.substring(0, word.length() - 1) : word;
                    if (digits.matches("[+-]?\\d{1,1000}")) {
                        return new BigInteger(digits);
                    }
                    return word;  // a float or a name: reported by whoever expected a number
            }
        }

        /** Comma-separated items up to {@code close}; pairs {@code key: value} when {@code pairs}. */
        private List<List<Object>> items(char close, int depth, boolean pairs) {
            List<List<Object>> out = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == close) {
                    pos++;
                    return out;
                }
                Object first = value(depth + 1);
                List<Object> item = new ArrayList<>();
                item.add(first);
                if (pairs) {
                    skipSpace();
                    if (pos >= s.length() || s.charAt(pos) != ':') {
                        throw corrupt();
                    }
                    pos++;
                    item.add(value(depth + 1));
                }
                out.add(item);
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos >= s.length() || s.charAt(pos) != close) {
                    throw corrupt();
                }
            }
        }
    }
}
