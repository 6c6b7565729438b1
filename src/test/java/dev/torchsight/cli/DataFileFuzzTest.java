package dev.torchsight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and extreme data files of every data format torchsight reads (NPY, CSV/text, IDX plain
 * and gzip, label files, class-name files), run through the real CLI in-process. Each case holds the
 * README's promise: exit 2 with exactly one line {@code torchsight: error: ...} and no file written,
 * or (when the file is in fact valid, as many random byte flips are) exit 0 with every output written;
 * never exit 1, a stack trace, a hang or a crash. Hand-written cases also pin the message's gist.
 * Random cases (truncations, byte flips) use fixed seeds, so a failure reproduces.
 */
class DataFileFuzzTest {
    private static final int ROWS = 30;
    private static final int COLS = 4;
    private static final String MODEL = "src/test/resources/gradcam/small_resnet_scripted.pt";
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** What a case must end in. */
    enum Expect { FAIL, OK, EITHER }

    /** Which option the file is given to. */
    enum Role { INPUT, LABELS, CLASS_NAMES }

    record Case(String name, Role role, String fileName, byte[] content, Expect expect, String hint) { }

    // ---- valid base files ------------------------------------------------------------------------

    private static float[] clusters() {
        Random r = new Random(5);
        float[] v = new float[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() + (i / COLS % 3) * 6;
        }
        return v;
    }

    static byte[] npy(String header, byte[] data, int major) {
        String h = header;
        int prefix = major == 1 ? 10 : 12;
        StringBuilder padded = new StringBuilder(h);
        while ((prefix + padded.length() + 1) % 64 != 0) {
            padded.append(' ');
        }
        padded.append('\n');
        byte[] hb = padded.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) hb.length);
        } else {
            b.putInt(hb.length);
        }
        return b.put(hb).put(data).array();
    }

    static byte[] floats(float[] v, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] goodNpy() {
        return npy("{'descr': '<f4', 'fortran_order': False, 'shape': (" + ROWS + ", " + COLS + "), }",
                floats(clusters(), ByteOrder.LITTLE_ENDIAN), 1);
    }

    static byte[] npyWith(String descr, String shape, byte[] data) {
        return npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }", data, 1);
    }

    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] goodIdxImages() {
        byte[] px = new byte[ROWS * 2 * 2];
        Random r = new Random(6);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (r.nextInt(60) + (i / 4 % 3) * 90);
        }
        return idx(0x08, new int[] {ROWS, 2, 2}, px);
    }

    static byte[] idxLabels(int n) {
        byte[] l = new byte[n];
        for (int i = 0; i < n; i++) {
            l[i] = (byte) (i % 3);
        }
        return idx(0x08, new int[] {n}, l);
    }

    static String goodCsv() {
        float[] v = clusters();
        StringBuilder sb = new StringBuilder("a,b,c,d\n");
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                sb.append(c == 0 ? "" : ",").append(v[r * COLS + c]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String lines(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i % 3 == 0 ? "cat" : i % 3 == 1 ? "dog" : "bird").append('\n');
        }
        return sb.toString();
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- the cases ---------------------------------------------------------------------------------

    private static final List<Case> CASES = new ArrayList<>();

    private static void fail(Role role, String file, byte[] content, String hint) {
        CASES.add(new Case(file + ": " + hint, role, file, content, Expect.FAIL, hint));
    }

    private static void ok(Role role, String file, byte[] content) {
        CASES.add(new Case(file + " (valid)", role, file, content, Expect.OK, null));
    }

    static {
        Role in = Role.INPUT;
        float[] v = clusters();
        byte[] data = floats(v, ByteOrder.LITTLE_ENDIAN);
        // NPY headers and dtypes
        ok(in, "good.npy", goodNpy());
        ok(in, "big-endian.npy", npyWith(">f4", "(30, 4)", floats(v, ByteOrder.BIG_ENDIAN)));
        ok(in, "fortran.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (30, 4), }", data, 1));
        ok(in, "version2.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (30, 4), }", data, 2));
        ok(in, "three-d.npy", npyWith("<f4", "(30, 2, 2)", data));
        ok(in, "python2-long.npy", npyWith("<f4", "(30L, 4L)", data));
        ok(in, "gzipped.npy.gz", gzip(goodNpy()));
        ok(in, "gzip-without-gz-name.npy", gzip(goodNpy()));
        ok(in, "data_idx3_notes.npy", goodNpy());  // 'idx' in the name must not make it IDX
        fail(in, "negative.npy", npyWith("<f4", "(-30, 4)", data), "negative");
        fail(in, "non-integer.npy", npyWith("<f4", "(30.5, 4)", data), "not a whole number");
        fail(in, "overflow.npy", npyWith("<f4", "(4294967296, 4294967296)", data), "more values than any file");
        fail(in, "overflow-product.npy", npyWith("<f4", "(4611686018427387903, 4611686018427387903)", data),
                "more values than any file");
        fail(in, "huge-dim.npy", npyWith("<f4", "(99999999999999999999999, 4)", data), "too large");
        fail(in, "complex.npy", npyWith("<c8", "(30, 2)", data), "unsupported dtype <c8");
        fail(in, "object.npy", npyWith("|O", "(30, 4)", data), "unsupported dtype |O");
        fail(in, "unicode.npy", npyWith("<U5", "(30, 4)", data), "unsupported dtype <U5");
        fail(in, "structured.npy", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (120,), }",
                data, 1), "structured dtype");
        fail(in, "fortran-garbage.npy", npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (30, 4), }", data, 1),
                "fortran_order");
        fail(in, "no-shape.npy", npy("{'descr': '<f4', 'fortran_order': False, }", data, 1), "no 'shape'");
        fail(in, "not-a-dict.npy", npy("[1, 2, 3]", data, 1), "unreadable .npy header");
        fail(in, "unclosed.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (30, 4", data, 1),
                "unreadable .npy header");
        fail(in, "scalar.npy", npyWith("<f4", "()", Arrays.copyOf(data, 4)), "0-d array");
        fail(in, "no-columns.npy", npyWith("<f4", "(30, 0)", new byte[0]), "no values");
        fail(in, "no-rows.npy", npyWith("<f4", "(0, 4)", new byte[0]), "no rows");
        fail(in, "short-data.npy", Arrays.copyOf(goodNpy(), goodNpy().length - 7), "truncated");
        fail(in, "long-data.npy", concat(goodNpy(), new byte[8]), "does not match");
        byte[] v2 = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (30, 4), }", data, 2);
        fail(in, "truncated-v2-header.npy", Arrays.copyOf(v2, 40), "truncated");
        fail(in, "truncated-v2-length.npy", Arrays.copyOf(v2, 10), "truncated");
        byte[] hugeHeader = v2.clone();
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7ffffff0);
        fail(in, "huge-header.npy", hugeHeader, "header claims");
        byte[] version9 = goodNpy();
        version9[6] = 9;
        fail(in, "version9.npy", version9, "version 9.0");
        fail(in, "empty.npy", new byte[0], "empty");
        fail(in, "magic-only.npy", Arrays.copyOf(goodNpy(), 6), "truncated");
        fail(in, "nan.npy", npyWith("<f4", "(30, 4)", floats(withValue(v, 41, Float.NaN), ByteOrder.LITTLE_ENDIAN)),
                "row 10 (0-based), column 1 is NaN");
        fail(in, "inf.npy", npyWith("<f4", "(30, 4)", floats(withValue(v, 7, Float.NEGATIVE_INFINITY),
                ByteOrder.LITTLE_ENDIAN)), "row 1 (0-based), column 3 is -Infinity");
        fail(in, "1e37.npy", npyWith("<f4", "(30, 4)", floats(withValue(v, 5, 1e37f), ByteOrder.LITTLE_ENDIAN)),
                "rescale");
        fail(in, "1e18.npy", npyWith("<f4", "(30, 4)", floats(withValue(v, 5, 1e18f), ByteOrder.LITTLE_ENDIAN)),
                "larger than 1.0E15");
        ByteBuffer f64 = ByteBuffer.allocate(8 * ROWS * COLS).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ROWS * COLS; i++) {
            f64.putDouble(i == 9 ? 1e300 : v[i]);
        }
        fail(in, "float64-beyond-float32.npy", npyWith("<f8", "(30, 4)", f64.array()), "beyond float32's range");
        ok(in, "scaled-1e12.npy", npyWith("<f4", "(30, 4)", floats(scaled(v, 1e12f), ByteOrder.LITTLE_ENDIAN)));
        fail(in, "idx-content.npy", goodIdxImages(), "not a NumPy .npy file");
        fail(in, "text-content.npy", utf8(goodCsv()), "not a NumPy .npy file");
        fail(in, "archive.npz", new byte[] {'P', 'K', 3, 4, 0, 0}, "numpy.load(f)[key]");
        fail(in, "data.xyz", utf8("1 2 3"), "unknown input format");
        fail(in, "image.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "unknown input format");
        byte[] gz = gzip(goodNpy());
        fail(in, "truncated.npy.gz", Arrays.copyOf(gz, gz.length / 2), "truncated gzip");
        byte[] corrupt = gz.clone();
        for (int i = 12; i < 40; i++) {
            corrupt[i] ^= 0x5a;
        }
        fail(in, "corrupt.npy.gz", corrupt, "gzip");
        fail(in, "header-only.npy.gz", Arrays.copyOf(gz, 10), "gzip");

        // IDX
        ok(in, "train-images-idx3-ubyte", goodIdxImages());
        ok(in, "train-images-idx3-ubyte.gz", gzip(goodIdxImages()));
        ok(in, "images.idx3", goodIdxImages());
        fail(in, "bad-magic-ubyte", concat(new byte[] {1, 0}, Arrays.copyOfRange(goodIdxImages(), 2, 136)), "bad magic");
        fail(in, "bad-type-ubyte", idx(0x07, new int[] {ROWS, 2, 2}, new byte[ROWS * 4]), "unknown IDX element type");
        fail(in, "rank0-ubyte", idx(0x08, new int[0], new byte[4]), "0 dimensions");
        fail(in, "overflow-ubyte", idx(0x08, new int[] {-1, -1, -1}, new byte[16]), "more than any file holds");
        fail(in, "product-overflow-ubyte", idx(0x0E, new int[] {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff}, new byte[8]),
                "more values than any file");
        fail(in, "short-ubyte", Arrays.copyOf(goodIdxImages(), 100), "truncated");
        fail(in, "long-ubyte", concat(goodIdxImages(), new byte[3]), "does not match");
        fail(in, "header-cut-ubyte", Arrays.copyOf(goodIdxImages(), 9), "truncated");
        fail(in, "huge-images-idx3-ubyte.gz", gzip(idx(0x08, new int[] {2_000_000_000, 28, 28}, new byte[100])), "row limit");
        fail(in, "declared-rows-idx3-ubyte.gz", gzip(idx(0x08, new int[] {ROWS + 5, 2, 2},
                Arrays.copyOfRange(goodIdxImages(), 16, 136))), "truncated");
        fail(in, "no-items-ubyte", idx(0x08, new int[] {0, 2, 2}, new byte[0]), "no items");
        fail(in, "zero-width-ubyte", idx(0x08, new int[] {ROWS, 0, 2}, new byte[0]), "no values");
        fail(in, "npy-content-ubyte", goodNpy(), "not an IDX file");
        byte[] igz = gzip(goodIdxImages());
        fail(in, "cut-images-idx3-ubyte.gz", Arrays.copyOf(igz, igz.length - 12), "gzip");
        ByteBuffer fIdx = ByteBuffer.allocate(4 * ROWS * COLS).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < ROWS * COLS; i++) {
            fIdx.putFloat(i == 13 ? Float.NaN : v[i]);
        }
        fail(in, "nan-floats.idx", idx(0x0D, new int[] {ROWS, COLS}, fIdx.array()), "row 3 (0-based), column 1 is NaN");

        // CSV and text
        String csv = goodCsv();
        ok(in, "good.csv", utf8(csv));
        ok(in, "bom.csv", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, utf8(csv)));
        ok(in, "crlf.csv", utf8(csv.replace("\n", "\r\n")));
        ok(in, "quoted.csv", utf8(csv.replaceAll("([^,\\n]+)", "\"$1\"")));
        ok(in, "tabs.tsv", utf8(csv.replace(',', '\t')));
        ok(in, "spaces.txt", utf8("# numpy.savetxt header\n" + csv.substring(csv.indexOf('\n') + 1).replace(',', ' ')));
        ok(in, "pandas.csv", utf8(pandas(csv)));
        ok(in, "gzipped.csv.gz", gzip(utf8(csv)));
        ok(in, "my_idx_features.csv", utf8(csv));  // 'idx' in the name must not make it IDX
        fail(in, "ragged.csv", utf8(csv.replaceFirst("\n([^\\n]*),[^,\\n]*\n", "\n$1\n")), "every row needs the same number of values");
        fail(in, "word.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\nhello,")), "'hello' is not a number");
        fail(in, "empty.csv", new byte[0], "empty");
        fail(in, "blank.csv", utf8("\n\n  \n"), "empty");
        fail(in, "header-only.csv", utf8("a,b,c\n"), "no data rows");
        fail(in, "semicolons.csv", utf8(csv.replace(',', ';')), "';'");
        fail(in, "decimal-commas.csv", utf8("1,5;2,5\n3,5;4,5\n"), "decimal point");
        fail(in, "missing.csv", utf8(csv.replaceFirst("\n([^,\\n]+),[^,\\n]+,", "\n$1,,")), "missing value");
        fail(in, "nan.csv", utf8(csv.replaceFirst("\n([^,\\n]+),[^,\\n]+,", "\n$1,nan,")), "row 0 (0-based), column 1 is NaN");
        fail(in, "inf.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\n-inf,")), "is -Infinity");
        fail(in, "1e39.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\n1e39,")), "beyond float32's range");
        fail(in, "1e20.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\n1e20,")), "larger than 1.0E15");
        fail(in, "hex.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\n0x1p3,")), "not a number");
        fail(in, "java-suffix.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\n1.5f,")), "not a number");
        fail(in, "unclosed-quote.csv", utf8(csv.replaceFirst("\n[^,\\n]+,", "\n\"1.5,")), "never closed");
        fail(in, "header-mismatch.csv", utf8("a,b\n" + csv.substring(csv.indexOf('\n') + 1)), "header names 2");
        fail(in, "binary.csv", goodNpy(), "its content looks like a NumPy .npy file");
        fail(in, "utf16.csv", concat(new byte[] {(byte) 0xff, (byte) 0xfe}, csv.getBytes(StandardCharsets.UTF_16LE)),
                "UTF-16");
        fail(in, "latin1.csv", concat(utf8("a,b\n1,2\n"), new byte[] {(byte) 0xe9, ',', '1', '\n'}), "not UTF-8");
        fail(in, "few-rows.csv", utf8("1,2\n3,4\n5,6\n"), "at least 5 rows");
        fail(in, "commas-only.csv", utf8(",,,\n,,,\n"), "empty (a missing value)");
        fail(in, "long-line.csv", utf8("1," + "9".repeat(400_000) + "\n"), "beyond float32's range");

        // labels, given with a valid 30-row input
        Role lab = Role.LABELS;
        ok(lab, "labels.txt", utf8(lines(ROWS)));
        ok(lab, "labels", utf8(lines(ROWS)));
        ok(lab, "labels.npy", npyWith("<i8", "(30,)", longs(ROWS)));
        ok(lab, "labels-column.npy", npyWith("<i8", "(30, 1)", longs(ROWS)));
        ok(lab, "train-labels-idx1-ubyte", idxLabels(ROWS));
        ok(lab, "train-labels-idx1-ubyte.gz", gzip(idxLabels(ROWS)));
        ok(lab, "labels.csv", utf8(lines(ROWS)));
        fail(lab, "25-labels.txt", utf8(lines(25)), "25 labels but the input has 30 rows");
        fail(lab, "35-labels.txt", utf8(lines(35)), "35 labels but the input has 30 rows");
        fail(lab, "25-labels.npy", npyWith("<i8", "(25,)", longs(25)), "25 labels but the input has 30 rows");
        fail(lab, "25-labels-idx1-ubyte", idxLabels(25), "25 labels");
        fail(lab, "blank-middle.txt", utf8(lines(10) + "\n" + lines(20)), "line 11 is blank");
        fail(lab, "empty-labels.txt", new byte[0], "no labels");
        fail(lab, "binary-labels.txt", goodNpy(), "looks like a NumPy .npy file");
        fail(lab, "utf16-labels.txt", concat(new byte[] {(byte) 0xff, (byte) 0xfe},
                lines(ROWS).getBytes(StandardCharsets.UTF_16LE)), "UTF-16");
        fail(lab, "two-columns.csv", utf8(lines(ROWS).replace("\n", ",x\n")), "one label per line");
        fail(lab, "labels.json", utf8("[\"a\"]"), "unknown labels format");
        ByteBuffer fl = ByteBuffer.allocate(8 * ROWS).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ROWS; i++) {
            fl.putDouble(i == 4 ? 1.5 : i % 3);
        }
        fail(lab, "fractional.npy", npyWith("<f8", "(30,)", fl.array()), "1.5, not a whole number");
        ByteBuffer nanL = ByteBuffer.allocate(4 * ROWS).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ROWS; i++) {
            nanL.putFloat(i == 2 ? Float.NaN : 1);
        }
        fail(lab, "nan-labels.npy", npyWith("<f4", "(30,)", nanL.array()), "NaN, not a whole number");
        ByteBuffer huge = ByteBuffer.allocate(8 * ROWS).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ROWS; i++) {
            huge.putLong(i == 3 ? 1L << 40 : 0);
        }
        fail(lab, "huge-labels.npy", npyWith("<i8", "(30,)", huge.array()), "not a whole number within");
        fail(lab, "matrix-labels.npy", npyWith("<i8", "(15, 2)", longs(ROWS)), "1-D array");
        fail(lab, "complex-labels.npy", npyWith("<c16", "(30,)", new byte[16 * ROWS]), "unsupported dtype <c16");
        fail(lab, "images-as-labels-idx3-ubyte", goodIdxImages(), "one-dimensional");
        fail(lab, "short-labels-idx1-ubyte", Arrays.copyOf(idxLabels(ROWS), 20), "truncated");

        // class names for gradcam
        Role cn = Role.CLASS_NAMES;
        // Valid lists name all 10 classes of the test model (a shorter list is refused by gradcam).
        StringBuilder plain = new StringBuilder();
        StringBuilder imagenet = new StringBuilder();
        StringBuilder index = new StringBuilder("{");
        StringBuilder list = new StringBuilder("[");
        for (int k = 0; k < 10; k++) {
            plain.append("class").append(k).append('\n');
            imagenet.append(k).append(" n0144076").append(k).append(" fish").append(k).append('\n');
            index.append(k == 0 ? "" : ", ").append("\"").append(k).append("\": [\"n0144076").append(k).append("\", \"fish").append(k).append("\"]");
            list.append(k == 0 ? "" : ", ").append("\"c").append(k).append("\"");
        }
        ok(cn, "names.txt", utf8(plain.toString()));
        ok(cn, "imagenet.txt", utf8(imagenet.toString()));
        ok(cn, "index.json", utf8(index.append("}").toString()));
        ok(cn, "list.json", utf8(list.append("]").toString()));
        fail(cn, "empty-array-value.json", utf8("{\"0\": []}"), "empty array");
        fail(cn, "beyond-int.json", utf8("{\"99999999999\": \"x\"}"), "class index 99999999999");
        fail(cn, "beyond-long.json", utf8("{\"999999999999999999999999\": \"x\"}"), "not a whole number");
        fail(cn, "negative.json", utf8("{\"-1\": \"x\", \"0\": \"y\"}"), "not a whole number");
        fail(cn, "string.json", utf8("\"tench\""), "holds a JSON string");
        fail(cn, "number.json", utf8("42"), "holds a JSON number");
        fail(cn, "null.json", utf8("null"), "holds a JSON null");
        fail(cn, "duplicate.json", utf8("{\"0\": \"a\", \"0\": \"b\"}"), "given twice");
        fail(cn, "duplicate-padded.json", utf8("{\"0\": \"a\", \"00\": \"b\"}"), "given twice");
        fail(cn, "gap.json", utf8("{\"0\": \"a\", \"2\": \"b\"}"), "index 1 is missing");
        fail(cn, "numbers.json", utf8("[1, 2]"), "not a name");
        fail(cn, "nested.json", utf8("[[[\"a\"]]]"), "inside its array");
        fail(cn, "object-value.json", utf8("{\"0\": {\"name\": \"a\"}}"), "not a name");
        fail(cn, "invalid.json", utf8("{\"0\": \"a\""), "not valid class-name JSON");
        fail(cn, "trailing.json", utf8("[\"a\"] [\"b\"]"), "malformed JSON at line 1");
        fail(cn, "empty-list.json", utf8("[]"), "no class names");
        fail(cn, "empty.txt", new byte[0], "no class names");
        fail(cn, "binary.txt", goodNpy(), "binary");
        fail(cn, "latin1.txt", new byte[] {'c', 'a', 'f', (byte) 0xe9}, "not UTF-8");
        fail(cn, "huge-index.txt", utf8("99999999999 n01440764 tench\n"), "class index 99999999999");
        fail(cn, "duplicate-index.txt", utf8("0 n01440764 tench\n0 n01443537 goldfish\n"), "given twice");
        fail(cn, "mixed.txt", utf8("0 n01440764 tench\ngoldfish\n"), "not 'index synset name'");
        fail(cn, "deep.json", utf8("[".repeat(100_000)), "inside its array");

        // random truncations and byte flips of valid files, fixed seeds
        mutate(in, "fuzz.npy", goodNpy(), 11, true);
        mutate(in, "fuzz-images-idx3-ubyte", goodIdxImages(), 12, true);
        mutate(in, "fuzz-images-idx3-ubyte.gz", gzip(goodIdxImages()), 13, true);
        mutate(in, "fuzz.npy.gz", gzip(goodNpy()), 14, true);
        mutate(in, "fuzz.csv", utf8(csv), 15, false);
        mutate(lab, "fuzz-labels.npy", npyWith("<i8", "(30,)", longs(ROWS)), 16, true);
        mutate(lab, "fuzz-labels-idx1-ubyte", idxLabels(ROWS), 17, true);
        mutate(lab, "fuzz-labels.txt", utf8(lines(ROWS)), 18, false);
        mutate(cn, "fuzz-index.json", utf8("{\"0\": [\"n01440764\", \"tench\"], \"1\": [\"n01443537\", \"goldfish\"]}"),
                19, false);
    }

    /** Truncations (which must fail for binary formats) and byte flips (either outcome) of a valid file. */
    private static void mutate(Role role, String file, byte[] valid, long seed, boolean binary) {
        Random r = new Random(seed);
        for (int i = 0; i < 4; i++) {
            int cut = r.nextInt(valid.length);
            CASES.add(new Case(file + " cut at " + cut, role, file, Arrays.copyOf(valid, cut),
                    binary ? Expect.FAIL : Expect.EITHER, null));
        }
        for (int i = 0; i < 6; i++) {
            byte[] b = valid.clone();
            // half the flips land in the first 140 bytes: the header, where most parsing happens
            int at = i % 2 == 0 ? r.nextInt(Math.min(140, b.length)) : r.nextInt(b.length);
            b[at] = (byte) r.nextInt(256);
            int at2 = r.nextInt(b.length);
            b[at2] ^= (byte) (1 << r.nextInt(8));
            CASES.add(new Case(file + " flipped at " + at + " and " + at2, role, file, b, Expect.EITHER, null));
        }
    }

    private static float[] withValue(float[] v, int index, float value) {
        float[] c = v.clone();
        c[index] = value;
        return c;
    }

    private static float[] scaled(float[] v, float factor) {
        float[] c = v.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] *= factor;
        }
        return c;
    }

    private static byte[] longs(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putLong(i % 3);
        }
        return b.array();
    }

    private static String pandas(String csv) {
        String[] rows = csv.split("\n");
        StringBuilder sb = new StringBuilder("," + rows[0] + "\n");
        for (int i = 1; i < rows.length; i++) {
            sb.append(i - 1).append(',').append(rows[i]).append('\n');
        }
        return sb.toString();
    }

    @org.junit.jupiter.api.Test
    void pathsThatAreNotReadableFilesEndInOneLine() throws IOException {
        Path good = dir.resolve("good.npy");
        Files.write(good, goodNpy());
        Path folder = Files.createDirectories(dir.resolve("folder.npy"));
        Path dangling = dir.resolve("dangling.npy");
        Files.createSymbolicLink(dangling, dir.resolve("nowhere.npy"));
        Path out = Files.createDirectories(dir.resolve("out"));
        String[][] runs = {
            {"tsne", "--input", folder.toString()},
            {"tsne", "--input", dangling.toString()},
            {"tsne", "--input", dir.resolve("missing.csv").toString()},
            {"tsne", "--input", good.toString(), "--labels", folder.toString()},
            {"tsne", "--input", good.toString(), "--labels", dangling.toString()},
        };
        for (String[] run : runs) {
            List<String> args = new ArrayList<>(Arrays.asList(run));
            args.addAll(List.of("--quiet", "--out", out.resolve("plot.png").toString(), "--perplexity", "5"));
            CliRunner.Result r = assertTimeoutPreemptively(LIMIT, () -> CliRunner.run(args.toArray(String[]::new)));
            assertEquals(2, r.code(), String.join(" ", run) + ": " + r.err());
            String line = r.err().strip();
            assertTrue(line.startsWith("torchsight: error: ") && line.lines().count() == 1, r.err());
            assertTrue(line.contains("not found") || line.contains("is a folder"), line);
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(0, files.count(), "nothing written");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void idxWithARowLimitAndSiblingLabels() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path images = dir.resolve("t-images-idx3-ubyte.gz");
        Files.write(images, gzip(goodIdxImages()));
        Path siblings = dir.resolve("t-labels-idx1-ubyte.gz");
        String[] base = {"tsne", "--idx", images.toString(), "--quiet", "--out", out.resolve("plot.png").toString(),
            "--perplexity", "3", "--iterations", "60", "--threads", "1"};
        // the matching labels file must have one label per image in the file, also under --limit
        Files.write(siblings, gzip(idxLabels(ROWS - 5)));
        CliRunner.Result bad = CliRunner.run(concatArgs(base, "--limit", "12"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().strip().startsWith("torchsight: error: ") && bad.err().contains("25 labels"), bad.err());
        assertEquals(0, count(out));
        Files.write(siblings, gzip(idxLabels(ROWS)));
        CliRunner.Result ok = CliRunner.run(concatArgs(base, "--limit", "12"));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("t-SNE of 12 points"), ok.out());
        Files.delete(out.resolve("plot.png"));
        // a gzip stream cut short fails as truncated even when the limit is reached before the cut
        byte[] gz = gzip(goodIdxImages());
        Files.write(images, Arrays.copyOf(gz, gz.length - 20));
        CliRunner.Result cut = CliRunner.run(concatArgs(base, "--limit", "6"));
        assertEquals(2, cut.code(), cut.err());
        assertTrue(cut.err().contains("truncated"), cut.err());
        assertEquals(0, count(out));
    }

    private static long count(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        }
    }

    private static String[] concatArgs(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    // ---- running --------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyDataFileEndsInOneLineOrAResult() {
        int[] n = {0};
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c, n[0]++)));
    }

    private void run(Case c, int index) throws IOException {
        Path caseDir = Files.createDirectories(dir.resolve("case" + index));
        Path file = caseDir.resolve(c.fileName());
        Files.write(file, c.content());
        Path out = caseDir.resolve("out");
        Files.createDirectories(out);
        List<String> args = new ArrayList<>();
        switch (c.role()) {
            case INPUT, LABELS -> {
                Path input = file;
                if (c.role() == Role.LABELS) {
                    input = caseDir.resolve("good-input.npy");
                    Files.write(input, goodNpy());
                    args.addAll(List.of("--labels", file.toString()));
                }
                args.addAll(0, List.of("tsne", "--input", input.toString(), "--quiet", "--out",
                        out.resolve("plot.png").toString(), "--embedding-out", out.resolve("xy.csv").toString(),
                        "--iterations", "60", "--perplexity", "5", "--threads", "1"));
            }
            default -> {
                Path image = caseDir.resolve("image.png");
                BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                img.setRGB(5, 5, 0xff8040);
                ImageIO.write(img, "png", image.toFile());
                args.addAll(List.of("gradcam", "--model", MODEL, "--image", image.toString(), "--size", "32",
                        "--out", out.toString(), "--quiet", "--labels", file.toString()));
            }
        }
        CliRunner.Result r = assertTimeoutPreemptively(LIMIT, () -> CliRunner.run(args.toArray(String[]::new)),
                c.name() + " must finish within " + LIMIT);
        String what = c.name() + ": exit " + r.code() + ", stderr: " + r.err();
        String[] errLines = r.err().strip().isEmpty() ? new String[0] : r.err().strip().split("\\R");
        List<String> written;
        try (Stream<Path> files = Files.walk(out)) {
            written = files.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().toList();
        }
        if (r.code() == 0) {
            assertTrue(c.expect() != Expect.FAIL, "accepted a bad file: " + what);
            List<String> wanted = c.role() == Role.CLASS_NAMES ? List.of("image.png.cam.jpg", "report.json")
                    : List.of("plot.png", "xy.csv");
            assertEquals(wanted, written, "a run that succeeds writes all its outputs: " + what);
            return;
        }
        assertEquals(2, r.code(), "bad input exits 2: " + what);
        assertTrue(c.expect() != Expect.OK, "rejected a valid file: " + what);
        assertEquals(1, errLines.length, "one line: " + what);
        assertTrue(errLines[0].startsWith("torchsight: error: "), what);
        assertTrue(errLines[0].length() < 600, "a short line: " + what);
        assertEquals(List.of(), written, "nothing written after an error: " + what);
        if (c.hint() != null) {
            assertTrue(errLines[0].contains(c.hint()), "expected '" + c.hint() + "' in: " + errLines[0]);
        }
        assertTrue(errLines[0].toLowerCase(Locale.ROOT).contains(c.role() == Role.CLASS_NAMES ? "error" : "error"));
    }
}
