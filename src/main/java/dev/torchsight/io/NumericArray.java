package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The data part of an NPY or IDX file: a shape, an element type and the bytes of the first rows.
 * Sizes are checked with exact arithmetic against the file's real length (plain files) and the heap
 * before anything is allocated, so a corrupt header cannot cause a giant allocation.
 */
final class NumericArray {
    /** Element kinds: 'f' float, 'i' signed, 'u' unsigned, 'b' boolean. */
    private final char kind;
    private final int width;
    private final long[] shape;
    private final boolean fortran;
    private final long totalRows;
    private final int loadedRows;
    private final int rowValues;
    private final ByteBuffer data;
    private final Source src;
    private final long[] cStrides;

    private NumericArray(char kind, int width, long[] shape, boolean fortran, long totalRows, int loadedRows,
                         int rowValues, ByteBuffer data, Source src) {
        this.kind = kind;
        this.width = width;
        this.shape = shape;
        this.fortran = fortran;
        this.totalRows = totalRows;
        this.loadedRows = loadedRows;
        this.rowValues = rowValues;
        this.data = data;
        this.src = src;
        this.cStrides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            cStrides[d] = s;
            s *= shape[d];
        }
    }

    /**
     * Reads the data that follows a header.
     *
     * @param shape the declared shape (every entry non-negative); a 0-d array is one row of one value
     * @param maxRows read at most this many rows (the first dimension); the rest is checked, not kept
     * @param dtype the element type as the format names it, for messages
     */
    static NumericArray load(InputFiles.Input in, long[] shape, char kind, int width, ByteOrder order, boolean fortran,
                             int maxRows, Source src, String dtype) {
        long count;
        long totalBytes;
        long rowValues;
        try {
            count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            totalBytes = Math.multiplyExact(count, width);
            rowValues = 1;
            for (int d = 1; d < shape.length; d++) {
                rowValues = Math.multiplyExact(rowValues, shape[d]);
            }
        } catch (ArithmeticException e) {
            throw src.error(Arrays.toString(shape), "the declared shape " + shapeText(shape)
                    + " holds more values than any file can; the header is corrupt");
        }
        if (in.plainSize() >= 0) {
            long after = in.plainSize() - in.position();
            if (after != totalBytes) {
                throw src.error(after, "the declared shape " + shapeText(shape) + " of " + dtype + " needs " + totalBytes
                        + " bytes of data but the file holds " + after + (after < totalBytes
                        ? "; it is truncated (write or download it again)"
                        : "; the header does not match the data (write the file again)"));
            }
        }
        long rows = shape.length == 0 ? 1 : shape[0];
        long keep = fortran ? rows : Math.min(rows, Math.max(0, maxRows));
        long keepValues = rowValues == 0 ? 0 : keep > (Integer.MAX_VALUE - 8) / rowValues ? Long.MAX_VALUE : keep * rowValues;
        long keepBytes = keepValues > (Integer.MAX_VALUE - 8) / width ? Long.MAX_VALUE : keepValues * width;
        if (keepBytes > Integer.MAX_VALUE - 8) {
            throw new TorchsightException(Kind.LIMIT, keep, src.name() + ": " + keep + " rows of " + rowValues
                    + " values are more than one Java array holds; read fewer rows with a row limit");
        }
        HeapBudget.require(keepBytes + 4 * keepValues, src, keep + " rows of " + rowValues + " values", keep);
        // A plain file's length was checked above; gzip data is trusted only as far as it arrives.
        byte[] bytes = in.plainSize() >= 0 ? in.read((int) keepBytes, "the data") : in.readGrowing((int) keepBytes, "the data");
        if (in.plainSize() < 0) {
            long rest = in.skipRest();
            long expected = totalBytes - keepBytes;
            if (rest != expected) {
                throw src.error(rest + keepBytes, "the declared shape " + shapeText(shape) + " of " + dtype + " needs "
                        + totalBytes + " bytes of data but the file holds " + (rest + keepBytes) + (rest < expected
                        ? "; it is truncated (write or download it again)"
                        : "; the header does not match the data (write the file again)"));
            }
        }
        return new NumericArray(kind, width, shape.clone(), fortran, rows, (int) keep, (int) rowValues,
                ByteBuffer.wrap(bytes).order(order), src);
    }

    /** "(2, 3)" as NumPy prints shapes. */
    static String shapeText(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    long[] shape() {
        return shape.clone();
    }

    /** Rows the file holds (the first dimension). */
    long totalRows() {
        return totalRows;
    }

    /** Rows that were read (at most the row limit). */
    int loadedRows() {
        return loadedRows;
    }

    int rowValues() {
        return rowValues;
    }

    boolean isFloat() {
        return kind == 'f';
    }

    /**
     * The loaded rows as float32 in C order. Unsigned bytes are scaled to [0, 1] when {@code scaleBytes}.
     * NaN and infinities are kept (callers name them by row); finite values beyond float32's range fail.
     */
    float[] floats(boolean scaleBytes) {
        int n = loadedRows * rowValues;
        float[] out = new float[n];
        boolean bytes = scaleBytes && kind == 'u' && width == 1;
        for (int i = 0; i < n; i++) {
            double v = value(fortran ? fortranIndex(i) : i);
            if (bytes) {
                out[i] = (float) (v / 255.0);
            } else {
                float f = (float) v;
                if (Float.isInfinite(f) && !Double.isInfinite(v)) {
                    throw src.error(v, "row " + i / rowValues + " (0-based), column " + i % rowValues + " holds " + v
                            + ", beyond float32's range (3.4e38); rescale the data");
                }
                out[i] = f;
            }
        }
        return out;
    }

    /** The loaded values as ints; each must be a whole number within int's range. */
    int[] ints() {
        int n = loadedRows * rowValues;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int at = fortran ? fortranIndex(i) : i;
            double v = value(at);
            if (kind == 'u' && width == 8 && data.getLong(8 * at) < 0) {
                v = Double.POSITIVE_INFINITY;  // beyond long: certainly beyond int
            }
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw src.error(v, "value " + i + " (0-based) is " + v + ", not a whole number within "
                        + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + "; labels must be integer class ids");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** Where C-order element {@code c} lives in Fortran-order data. */
    private int fortranIndex(int c) {
        long offset = 0;
        long stride = 1;
        long rest = c;
        for (int d = 0; d < shape.length; d++) {
            long idx = rest / cStrides[d];
            rest %= cStrides[d];
            offset += idx * stride;
            stride *= shape[d];
        }
        return (int) offset;
    }

    private double value(int i) {
        return switch (kind) {
            case 'f' -> switch (width) {
                case 2 -> halfToFloat(data.getShort(2 * i));
                case 4 -> data.getFloat(4 * i);
                default -> data.getDouble(8 * i);
            };
            case 'u', 'b' -> switch (width) {
                case 1 -> data.get(i) & 0xff;
                case 2 -> data.getShort(2 * i) & 0xffff;
                case 4 -> data.getInt(4 * i) & 0xffffffffL;
                default -> unsigned(data.getLong(8 * i));
            };
            default -> switch (width) {
                case 1 -> data.get(i);
                case 2 -> data.getShort(2 * i);
                case 4 -> data.getInt(4 * i);
                default -> (double) data.getLong(8 * i);
            };
        };
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0;
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float f = mant * 0x1p-24f;
            return sign == 0 ? f : -f;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
