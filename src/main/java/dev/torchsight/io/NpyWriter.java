package dev.torchsight.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes .npy files (the format numpy.save produces, version 1.0), atomically. */
public final class NpyWriter {
    private NpyWriter() {}

    /** float32 rows x cols. */
    public static void writeFloat32(Path path, int rows, int cols, float[] values) {
        requireShape(rows, cols, values.length);
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        write(path, "<f4", "(" + rows + ", " + cols + ")", data.array());
    }

    /** float64 rows x cols. */
    public static void writeFloat64(Path path, int rows, int cols, double[] values) {
        requireShape(rows, cols, values.length);
        ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            data.putDouble(v);
        }
        write(path, "<f8", "(" + rows + ", " + cols + ")", data.array());
    }

    /** int64 labels. */
    public static void writeInt64(Path path, long[] values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            data.putLong(v);
        }
        write(path, "<i8", "(" + values.length + ",)", data.array());
    }

    private static void requireShape(int rows, int cols, int length) {
        if (rows < 0 || cols < 0 || (long) rows * cols != length) {
            throw new IllegalArgumentException(rows + " x " + cols + " does not match " + length + " values");
        }
    }

    private static void write(Path path, String descr, String shape, byte[] data) {
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + shape + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        out.putShort((short) h.length).put(h).put(data);
        AtomicFiles.write(path, tmp -> Files.write(tmp, out.array()));
    }
}
