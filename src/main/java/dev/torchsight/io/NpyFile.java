package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy's .npy format (versions 1-3), C order, for float and integer arrays of 1 or 2 dimensions. */
public final class NpyFile {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fiub])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final long[] shape;
    private final char kind;
    private final int width;
    private final ByteBuffer data;
    private final String source;

    private NpyFile(long[] shape, char kind, int width, ByteBuffer data, String source) {
        this.shape = shape;
        this.kind = kind;
        this.width = width;
        this.data = data;
        this.source = source;
    }

    /** Reads a .npy file. */
    public static NpyFile read(Path path) {
        return parse(InputFiles.readAll(path, "NPY"), path.toString());
    }

    /** Parses .npy bytes; {@code source} names them in error messages. */
    public static NpyFile parse(byte[] bytes, String source) {
        if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || bytes[1] != 'N' || bytes[2] != 'U') {
            throw new TorchsightException(source + " is not a NumPy .npy file (bad magic); save it with numpy.save");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLen = major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8);
        int start = major == 1 ? 10 : 12;
        if (start + headerLen > bytes.length) {
            throw new TorchsightException(source + ": truncated .npy header");
        }
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new TorchsightException(source + ": unreadable .npy header: " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new TorchsightException(source + ": Fortran-ordered arrays are not supported; "
                    + "save with numpy.save(path, numpy.ascontiguousarray(a))");
        }
        char kind = d.group(2).charAt(0);
        int width = Integer.parseInt(d.group(3));
        boolean supported = (kind == 'f' && (width == 4 || width == 8))
                || ((kind == 'i' || kind == 'u') && (width == 1 || width == 2 || width == 4 || width == 8));
        if (!supported) {
            throw new TorchsightException(source + ": unsupported dtype " + d.group(0).split(":")[1].trim()
                    + "; use float32, float64 or an integer type");
        }
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String[] parts = s.group(1).split(",");
        long[] shape = java.util.Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        int dataStart = start + headerLen;
        if ((long) bytes.length - dataStart != count * width) {
            throw new TorchsightException(source + ": .npy data holds " + (bytes.length - dataStart)
                    + " bytes but the shape needs " + count * width + "; the file is truncated");
        }
        buf.position(dataStart);
        return new NpyFile(shape, kind, width, buf.slice().order(order), source);
    }

    /** The array's shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** A 2-D array (or 1-D, as one column) as float32 rows. */
    public FloatMatrix asMatrix() {
        if (shape.length != 2 && shape.length != 1) {
            throw new TorchsightException(source + ": expected a 2-D array (samples x features), got "
                    + shape.length + " dimensions");
        }
        long rows = shape[0];
        long cols = shape.length == 2 ? shape[1] : 1;
        if (rows * cols > Integer.MAX_VALUE - 8) {
            throw new TorchsightException(source + ": " + rows + " x " + cols + " values is more than one array holds");
        }
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) value(i);
        }
        return new FloatMatrix((int) rows, (int) cols, v);
    }

    /** Every value, flattened in C order, as float32 (any number of dimensions). */
    public float[] asFloats() {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new TorchsightException(source + ": " + count + " values is more than one array holds");
        }
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) value(i);
        }
        return v;
    }

    /** A 1-D integer array (or floats holding whole numbers) as ints: class labels. */
    public int[] asLabels() {
        if (shape.length != 1) {
            throw new TorchsightException(source + ": labels must be a 1-D array, got shape "
                    + java.util.Arrays.toString(shape));
        }
        int[] out = new int[(int) shape[0]];
        for (int i = 0; i < out.length; i++) {
            double v = value(i);
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new TorchsightException(source + ": label " + i + " is " + v + ", not a whole number");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private double value(int i) {
        return switch (kind) {
            case 'f' -> width == 4 ? data.getFloat(4 * i) : data.getDouble(8 * i);
            case 'u' -> switch (width) {
                case 1 -> data.get(i) & 0xff;
                case 2 -> data.getShort(2 * i) & 0xffff;
                case 4 -> data.getInt(4 * i) & 0xffffffffL;
                default -> (double) data.getLong(8 * i);
            };
            default -> switch (width) {
                case 1 -> data.get(i);
                case 2 -> data.getShort(2 * i);
                case 4 -> data.getInt(4 * i);
                default -> (double) data.getLong(8 * i);
            };
        };
    }
}
