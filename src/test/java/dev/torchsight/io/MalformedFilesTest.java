package dev.torchsight.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers' library contract for bad files: a {@link TorchsightException} of the right kind with
 * the offending value and a one-line message — never another exception, never a giant allocation.
 * (The CLI-level sweep over many more files is cli.DataFileFuzzTest.)
 */
class MalformedFilesTest {
    @TempDir
    Path dir;

    private static TorchsightException fails(Kind kind, String hint, Executable call) {
        TorchsightException e = assertThrows(TorchsightException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(hint), "expected '" + hint + "' in: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static byte[] npy(String header, int dataBytes) {
        byte[] h = (header + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        return b.putShort((short) h.length).put(h).array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] idxHeader(int type, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    void npyShapeProblemsCarryTheShape() throws IOException {
        Path neg = write("neg.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 2), }", 24));
        assertEquals("(-3, 2)", fails(Kind.INPUT, "negative", () -> DataFiles.readVectors(neg)).value());
        Path frac = write("frac.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5, 2), }", 24));
        fails(Kind.INPUT, "not a whole number", () -> DataFiles.readVectors(frac));
        // 2^32 x 2^32 float32 is 2^66 bytes: an overflow, not "no columns"
        Path big = write("big.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0));
        fails(Kind.INPUT, "more values than any file", () -> DataFiles.readVectors(big));
        // a sane product that the file does not hold is caught by the length check, before allocating
        Path lying = write("lying.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100), }", 16));
        assertEquals(16L, fails(Kind.INPUT, "truncated", () -> DataFiles.readVectors(lying)).value());
    }

    @Test
    void npyDtypesNameTheDtype() throws IOException {
        Path c8 = write("c.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }", 32));
        TorchsightException e = fails(Kind.INPUT, "unsupported dtype <c8", () -> DataFiles.readVectors(c8));
        assertEquals("<c8", e.value());
        assertTrue(e.getMessage().contains("float32/float64/int"), e.getMessage());
        Path obj = write("o.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16));
        fails(Kind.LABELS, "unsupported dtype |O", () -> DataFiles.readLabels(obj));
    }

    @Test
    void truncatedVersion2HeaderIsTruncatedNotAnIndexError() throws IOException {
        byte[] v2 = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0x76, 0, 0, 0, '{', '\'', 'd'};
        Path p = write("v2.npy", v2);
        fails(Kind.INPUT, "truncated", () -> DataFiles.readVectors(p));
    }

    @Test
    void fortranOrderAndHalfPrecisionAreRead() throws IOException {
        byte[] f = npy("{'descr': '<f2', 'fortran_order': True, 'shape': (2, 3), }", 12);
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        b.position(f.length - 12);
        // column-major 2 x 3 of [[1, 2, 3], [4, 5, 6]] in float16: 1, 4, 2, 5, 3, 6
        for (short h : new short[] {0x3c00, 0x4400, 0x4000, 0x4500, 0x4200, 0x4600}) {
            b.putShort(h);
        }
        FloatMatrix m = DataFiles.readVectors(write("f.npy", f));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.values());
        assertEquals(65504f, NumericArray.halfToFloat((short) 0x7bff));
        assertEquals(Float.NEGATIVE_INFINITY, NumericArray.halfToFloat((short) 0xfc00));
        assertEquals(0x1p-24f, NumericArray.halfToFloat((short) 0x0001));
    }

    @Test
    void labelCountMustMatchTheRows() throws IOException {
        Path labels = write("l.txt", "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        TorchsightException e = fails(Kind.LABELS, "3 labels but the input has 20 rows", () -> DataFiles.readLabels(labels, 20));
        assertEquals(3, e.value());
        assertEquals(3, DataFiles.readLabels(labels, 3).size());
    }

    @Test
    void classNameJsonProblemsNameTheEntry() throws IOException {
        fails(Kind.CLASS_NAMES, "entry \"0\" is an empty array",
                () -> ClassNames.read(write("a.json", "{\"0\": []}".getBytes(StandardCharsets.UTF_8))));
        TorchsightException e = fails(Kind.CLASS_NAMES, "class index 3000000000",
                () -> ClassNames.read(write("b.json", "{\"3000000000\": \"x\"}".getBytes(StandardCharsets.UTF_8))));
        assertEquals(3_000_000_000L, e.value());
        fails(Kind.CLASS_NAMES, "given twice",
                () -> ClassNames.read(write("c.json", "{\"1\": \"a\", \"1\": \"b\", \"0\": \"c\"}".getBytes(StandardCharsets.UTF_8))));
        fails(Kind.CLASS_NAMES, "holds a JSON string",
                () -> ClassNames.read(write("d.json", "\"x\"".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void hugeGzipIdxFailsBeforeAllocatingAndARowLimitReadsOnlyTheFirstRows() throws IOException {
        // declares 1e9 images of 1 x 2 ubyte but holds 3: the row limit reads 2, then the length check fails
        byte[] header = idxHeader(0x08, 1_000_000_000, 1, 2);
        byte[] body = {10, 20, 30, 40, 50, 60};
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(header);
        all.write(body);
        Path gz = write("x-images-idx3-ubyte.gz", gzip(all.toByteArray()));
        fails(Kind.INPUT, "truncated", () -> DataFiles.readVectors(gz, 2));
        // without a limit, the declared size is compared with the heap (2 GB of bytes + 8 GB of floats)
        TorchsightException e = assertThrows(TorchsightException.class, () -> DataFiles.readVectors(gz, Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("row limit") || e.getMessage().contains("truncated"), e.getMessage());
        // the honest file reads, limited
        byte[] honest = idxHeader(0x08, 3, 1, 2);
        ByteArrayOutputStream ok = new ByteArrayOutputStream();
        ok.write(honest);
        ok.write(body);
        DataFiles.Vectors v = DataFiles.readVectors(write("y-images-idx3-ubyte.gz", gzip(ok.toByteArray())), 2);
        assertEquals(2, v.matrix().rows());
        assertEquals(3, v.fileRows());
        assertArrayEquals(new float[] {10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f}, v.matrix().values(), 1e-7f);
    }

    @Test
    void theHeapCheckSaysHowToGetMoreHeapOrReadFewerRows() {
        TorchsightException e = fails(Kind.LIMIT, "-Xmx", () -> HeapBudget.require(Long.MAX_VALUE / 4,
                new Source("big.npy", Kind.INPUT), "1000 rows of 10 values", 1000));
        assertTrue(e.getMessage().contains("row limit"), e.getMessage());
        assertEquals(1000L, e.value());
    }

    @Test
    void formatIsDecidedByTheEndingAndTheContentNeverBySubstrings() throws IOException {
        Path csv = write("my_idx_data.csv", "1,2\n3,4\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(DataFormat.TEXT, DataFormat.detect(csv));
        assertArrayEquals(new float[] {1, 2, 3, 4}, DataFiles.readVectors(csv).values());
        assertEquals(null, DataFormat.byName(Path.of("idx-notes.bin")));
        assertEquals(DataFormat.IDX, DataFormat.byName(Path.of("t10k-images.idx3-ubyte.gz")));
        assertEquals(DataFormat.IDX, DataFormat.byName(Path.of("images.IDX3")));
        fails(Kind.INPUT, "unknown input format", () -> DataFormat.detect(write("data.idxx", new byte[] {0, 0, 8, 1})));
        // an .npy name over IDX bytes is refused, not parsed as either
        Path wrong = write("wrong.npy", idxHeader(0x08, 1, 1));
        fails(Kind.INPUT, "looks like an IDX file", () -> DataFiles.readVectors(wrong));
    }

    @Test
    void magnitudesThatOverflowFloat32DistancesAreRejected() {
        FloatMatrix ok = new FloatMatrix(1, 2, new float[] {1e15f * 0.99f, -3});
        ok.requireFinite("x");
        FloatMatrix big = new FloatMatrix(2, 2, new float[] {1, 2, 3, -1e16f});
        TorchsightException e = fails(Kind.INPUT, "row 1 (0-based), column 1", () -> big.requireFinite("x"));
        assertEquals(-1e16f, e.value());
    }

    @Test
    void csvAcceptsWhatItDocumentsAndNamesTheCellOtherwise() throws IOException {
        Path quoted = write("q.csv", "\"a\",\"b\"\r\n\"1.5\",\"-2e3\"\r\n".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new float[] {1.5f, -2000f}, DataFiles.readVectors(quoted).values());
        Path bad = write("b.csv", "1,2\n3,abc\n".getBytes(StandardCharsets.UTF_8));
        TorchsightException e = fails(Kind.INPUT, "line 2, column 2: 'abc' is not a number", () -> DataFiles.readVectors(bad));
        assertEquals("abc", e.value());
        Path headerOnly = write("h.csv", "a,b\n\n".getBytes(StandardCharsets.UTF_8));
        fails(Kind.INPUT, "no data rows", () -> DataFiles.readVectors(headerOnly));
    }

    @Test
    void lineEndingsAndLinesLongerThanTheReadBufferAreRead() throws IOException {
        Path mixed = write("m.csv", "a,b\r1,2\r\n3,4\n5,6".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, DataFiles.readVectors(mixed).values());
        StringBuilder wide = new StringBuilder();
        for (int row = 0; row < 2; row++) {
            for (int c = 0; c < 30_000; c++) {
                wide.append(c == 0 ? "" : ",").append(row * 30_000 + c);
            }
            wide.append("\r\n");
        }
        FloatMatrix m = DataFiles.readVectors(write("w.csv", wide.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, m.rows());
        assertEquals(30_000, m.cols());
        assertEquals(59_999f, m.values()[59_999]);
        Path labels = write("l.txt", "a\rb\r\nc".getBytes(StandardCharsets.UTF_8));
        assertEquals(java.util.List.of("a", "b", "c"), DataFiles.readLabels(labels, 3).classNames());
    }

    @Test
    void datasetLabelsMustMatchTheFileRowsEvenWithARowLimit() throws IOException {
        Path csv = write("v.csv", "1,2\n3,4\n5,6\n7,8\n".getBytes(StandardCharsets.UTF_8));
        Path three = write("three.txt", "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        Path four = write("four.txt", "a\nb\nc\nd\n".getBytes(StandardCharsets.UTF_8));
        fails(Kind.LABELS, "3 labels but the input has 4 rows", () -> Dataset.pixels(csv, three, 3));
        Dataset d = Dataset.pixels(csv, four, 2);
        assertEquals(2, d.size());
        assertArrayEquals(new int[] {0, 1}, d.labels().codes());
        // the embedded set: one label per image used, or one per embedded image
        fails(Kind.LABELS, "3 labels but the input has 10000 rows", () -> Dataset.pixels(null, three, 50));
        assertEquals(3, Dataset.pixels(null, three, 3).labels().size());
    }
}
