package dev.torchsight.io;

import dev.torchsight.core.TorchsightException.Kind;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The IDX format of MNIST and Fashion-MNIST (big-endian header: two zero bytes, a type code, the
 * number of dimensions, one unsigned 32-bit size per dimension, then the values big-endian), plain or
 * gzip-compressed (recognised by content). A wrong magic, an unknown type code, a size that overflows
 * or does not match the file's length, a truncated or corrupt gzip stream, and data larger than the
 * heap all fail with one line; sizes are checked before anything is allocated.
 */
public final class IdxFile {
    private static final int UBYTE = 0x08;
    private static final int BYTE = 0x09;
    private static final int SHORT = 0x0B;
    private static final int INT = 0x0C;
    private static final int FLOAT = 0x0D;
    private static final int DOUBLE = 0x0E;

    private final NumericArray array;
    private final int[] dims;
    private final int type;
    private final Source src;

    private IdxFile(NumericArray array, int[] dims, int type, Source src) {
        this.array = array;
        this.dims = dims;
        this.type = type;
        this.src = src;
    }

    /** Reads and checks a whole IDX file (gzip or plain). */
    public static IdxFile read(Path path) {
        return read(path, Integer.MAX_VALUE, Kind.INPUT);
    }

    /**
     * Reads an IDX file keeping at most {@code maxItems} items (the rest is checked for length, not kept).
     *
     * @param kind the kind every error carries (INPUT for images, LABELS for labels)
     */
    public static IdxFile read(Path path, int maxItems, Kind kind) {
        Source src = new Source(path.toString(), kind);
        try (InputFiles.Input in = InputFiles.open(path, src)) {
            return read(in, maxItems, src);
        }
    }

    /** Parses IDX bytes (not gzip); {@code source} names them in error messages. */
    public static IdxFile parse(byte[] bytes, String source) {
        Source src = new Source(source, Kind.INPUT);
        try (InputFiles.Input in = new InputFiles.Input(new ByteArrayInputStream(bytes), bytes.length, false, src)) {
            return read(in, Integer.MAX_VALUE, src);
        }
    }

    /** Bytes per value of an IDX type code, or 0 for an unknown code. */
    static int width(int type) {
        return switch (type) {
            case UBYTE, BYTE -> 1;
            case SHORT -> 2;
            case INT, FLOAT -> 4;
            case DOUBLE -> 8;
            default -> 0;
        };
    }

    private static IdxFile read(InputFiles.Input in, int maxItems, Source src) {
        byte[] magic = in.peek(4);
        if (magic.length == 0) {
            throw src.error(0, "the file is empty; expected MNIST-style IDX data");
        }
        if (magic.length < 4 || magic[0] != 0 || magic[1] != 0) {
            String looks = DataFormat.describe(magic);
            throw src.error(null, "is not an IDX file (bad magic number"
                    + (looks == null ? "" : "; it looks like " + looks) + "); expected MNIST-style IDX data");
        }
        int type = magic[2] & 0xff;
        int rank = magic[3] & 0xff;
        int width = width(type);
        if (width == 0) {
            throw src.error(type, "unknown IDX element type 0x" + Integer.toHexString(type)
                    + "; IDX types are 0x08 (ubyte), 0x09, 0x0B, 0x0C, 0x0D and 0x0E");
        }
        if (rank < 1 || rank > 16) {
            throw src.error(rank, "an IDX file with " + rank + " dimensions is not valid (1 to 16); the header is corrupt");
        }
        in.read(4, "the IDX header");
        ByteBuffer header = ByteBuffer.wrap(in.read(4 * rank, "the IDX header")).order(ByteOrder.BIG_ENDIAN);
        long[] shape = new long[rank];
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = header.getInt(4 * d) & 0xffffffffL;
            if (shape[d] > Integer.MAX_VALUE) {
                throw src.error(shape[d], "IDX dimension " + d + " declares " + shape[d]
                        + " entries, more than any file holds; the header is corrupt");
            }
            dims[d] = (int) shape[d];
        }
        NumericArray array = NumericArray.load(in, shape, type == FLOAT || type == DOUBLE ? 'f'
                : type == UBYTE ? 'u' : 'i', width, ByteOrder.BIG_ENDIAN, false, maxItems, src,
                "IDX type 0x" + Integer.toHexString(type));
        return new IdxFile(array, dims, type, src);
    }

    /** Sizes of each dimension as declared (for images: count, rows, columns). */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of items in the file (the first dimension). */
    public int count() {
        return dims[0];
    }

    /**
     * The items that were read as rows of floats: each item flattened; unsigned bytes (pixels) scaled
     * to [0, 1] as torchvision's ToTensor does, other types as they are.
     */
    public FloatMatrix asMatrix() {
        if (array.loadedRows() == 0) {
            throw src.error(0, "the IDX file holds no items");
        }
        if (array.rowValues() == 0) {
            throw src.error(0, "the IDX items have no values (a dimension is 0)");
        }
        return new FloatMatrix(array.loadedRows(), array.rowValues(), array.floats(true));
    }

    /** A one-dimensional integer IDX (a label file) as ints. */
    public int[] asLabels() {
        if (dims.length != 1 || type == FLOAT || type == DOUBLE) {
            throw src.error(dims.length, "IDX labels must be one-dimensional integers, got " + dims.length
                    + " dimension(s) of " + (type == FLOAT || type == DOUBLE ? "floats" : "integers")
                    + "; give the *-labels-idx1-ubyte file");
        }
        return array.ints();
    }
}
