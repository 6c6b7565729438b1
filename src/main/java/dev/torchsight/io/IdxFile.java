package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The IDX format of MNIST and Fashion-MNIST (big-endian header: two zero bytes, a type code, the
 * number of dimensions, one 32-bit size per dimension), plain or gzip-compressed.
 */
public final class IdxFile {
    private static final int UBYTE = 0x08;
    private static final int BYTE = 0x09;
    private static final int SHORT = 0x0B;
    private static final int INT = 0x0C;
    private static final int FLOAT = 0x0D;
    private static final int DOUBLE = 0x0E;

    private final int[] dims;
    private final int type;
    private final ByteBuffer data;

    private IdxFile(int[] dims, int type, ByteBuffer data) {
        this.dims = dims;
        this.type = type;
        this.data = data;
    }

    /** Reads and checks an IDX file (gzip when the name ends in .gz). */
    public static IdxFile read(Path path) {
        return parse(InputFiles.readAll(path, "IDX"), path.toString());
    }

    /** Parses IDX bytes; {@code source} names them in error messages. */
    public static IdxFile parse(byte[] bytes, String source) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        if (bytes.length < 4 || bytes[0] != 0 || bytes[1] != 0) {
            throw new TorchsightException(source + " is not an IDX file (bad magic number); "
                    + "expected MNIST-style IDX data, optionally gzip-compressed with a .gz name");
        }
        int type = bytes[2] & 0xff;
        int rank = bytes[3] & 0xff;
        int width = switch (type) {
            case UBYTE, BYTE -> 1;
            case SHORT -> 2;
            case INT, FLOAT -> 4;
            case DOUBLE -> 8;
            default -> throw new TorchsightException(source + ": unknown IDX element type 0x"
                    + Integer.toHexString(type));
        };
        if (rank < 1 || bytes.length < 4 + 4 * rank) {
            throw new TorchsightException(source + ": truncated IDX header");
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            dims[d] = buf.getInt(4 + 4 * d);
            count *= dims[d];
        }
        long expected = 4L + 4L * rank + count * width;
        if (dims[0] < 0 || bytes.length != expected) {
            throw new TorchsightException(source + ": IDX header promises " + expected + " bytes but the file has "
                    + bytes.length + "; the file is truncated or not IDX");
        }
        buf.position(4 + 4 * rank);
        return new IdxFile(dims, type, buf.slice().order(ByteOrder.BIG_ENDIAN));
    }

    /** Sizes of each dimension (for images: count, rows, columns). */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of items (the first dimension). */
    public int count() {
        return dims[0];
    }

    /**
     * The items as rows of floats: each item flattened; unsigned bytes (pixels) scaled to [0, 1] as
     * torchvision's ToTensor does, other types as they are.
     */
    public FloatMatrix asMatrix() {
        int rows = dims[0];
        long colsLong = 1;
        for (int d = 1; d < dims.length; d++) {
            colsLong *= dims[d];
        }
        if ((long) rows * colsLong > Integer.MAX_VALUE - 8) {
            throw new TorchsightException("IDX data has " + rows + " x " + colsLong
                    + " values, more than one array holds; use --limit to read fewer items");
        }
        int cols = (int) colsLong;
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (type) {
                case UBYTE -> (data.get(i) & 0xff) / 255f;
                case BYTE -> data.get(i);
                case SHORT -> data.getShort(2 * i);
                case INT -> data.getInt(4 * i);
                case FLOAT -> data.getFloat(4 * i);
                default -> (float) data.getDouble(8 * i);
            };
        }
        return new FloatMatrix(rows, cols, v);
    }

    /** A one-dimensional integer IDX (a label file) as ints. */
    public int[] asLabels() {
        if (dims.length != 1 || type == FLOAT || type == DOUBLE) {
            throw new TorchsightException("IDX labels must be one-dimensional integers, got "
                    + dims.length + " dimension(s)");
        }
        int[] out = new int[dims[0]];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case UBYTE -> data.get(i) & 0xff;
                case BYTE -> data.get(i);
                case SHORT -> data.getShort(2 * i);
                default -> data.getInt(4 * i);
            };
        }
        return out;
    }
}
