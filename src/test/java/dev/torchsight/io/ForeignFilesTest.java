package dev.torchsight.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reads files written by other tools — numpy.save (v1 and v2 headers, float16/32/64, big-endian,
 * Fortran order, gzip), the original MNIST IDX layout (plain and gzip), numpy.savetxt, Python's csv
 * module (quoted, \r\n), Excel's UTF-8 CSV with a byte-order mark, pandas' index column, torchvision's
 * class-index JSON — and compares with the values the writing script printed (expected.json).
 * The fixtures and expected.json come from src/test/resources/formats/make_fixtures.py.
 */
class ForeignFilesTest {
    private static final Path DIR = Path.of("src/test/resources/formats");

    private static JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(DIR.resolve("expected.json"))).getAsJsonObject();
    }

    private static Stream<String> entries(String field) throws IOException {
        JsonObject all = expected();
        List<String> names = new ArrayList<>();
        for (String name : all.keySet()) {
            if (all.getAsJsonObject(name).has(field)) {
                names.add(name);
            }
        }
        return names.stream();
    }

    static Stream<String> vectorFiles() throws IOException {
        return entries("values");
    }

    static Stream<String> labelFiles() throws IOException {
        return entries("labels");
    }

    @ParameterizedTest
    @MethodSource("vectorFiles")
    void vectorsMatchWhatTheWriterPrinted(String name) throws IOException {
        JsonObject e = expected().getAsJsonObject(name);
        JsonArray shape = e.getAsJsonArray("shape");
        JsonArray values = e.getAsJsonArray("values");
        float[] want = new float[values.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = (float) values.get(i).getAsDouble();
        }
        FloatMatrix m = DataFiles.readVectors(DIR.resolve(name));
        assertEquals(shape.get(0).getAsInt(), m.rows(), name + " rows");
        assertEquals(shape.get(1).getAsInt(), m.cols(), name + " cols");
        assertArrayEquals(want, m.values(), name);
        assertNotEquals(0f, want[0] * want[want.length - 1] + 1f, "the fixture is not degenerate");
    }

    @ParameterizedTest
    @MethodSource("vectorFiles")
    void aRowLimitReadsTheFirstRowsAndCountsTheRest(String name) throws IOException {
        JsonObject e = expected().getAsJsonObject(name);
        int rows = e.getAsJsonArray("shape").get(0).getAsInt();
        int cols = e.getAsJsonArray("shape").get(1).getAsInt();
        DataFiles.Vectors v = DataFiles.readVectors(DIR.resolve(name), 2);
        assertEquals(2, v.matrix().rows());
        assertEquals(rows, v.fileRows());
        for (int i = 0; i < 2 * cols; i++) {
            assertEquals((float) e.getAsJsonArray("values").get(i).getAsDouble(), v.matrix().values()[i], name);
        }
    }

    @ParameterizedTest
    @MethodSource("labelFiles")
    void labelsMatchWhatTheWriterPrinted(String name) throws IOException {
        JsonArray ids = expected().getAsJsonObject(name).getAsJsonArray("labels");
        Labels labels = DataFiles.readLabels(DIR.resolve(name), ids.size());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ids.get(i).getAsString(), labels.classNames().get(labels.codes()[i]), name + " label " + i);
        }
    }

    @org.junit.jupiter.api.Test
    void textLabelsWithCrLfAndTrailingBlankLines() throws IOException {
        JsonObject e = expected().getAsJsonObject("labels.txt");
        Labels labels = DataFiles.readLabels(DIR.resolve("labels.txt"), 6);
        List<String> classes = new ArrayList<>();
        e.getAsJsonArray("classes").forEach(c -> classes.add(c.getAsString()));
        assertEquals(classes, labels.classNames());
        int[] codes = new int[6];
        for (int i = 0; i < 6; i++) {
            codes[i] = e.getAsJsonArray("codes").get(i).getAsInt();
        }
        assertArrayEquals(codes, labels.codes());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"imagenet_class_index.json", "class_list.json"})
    void classNamesMatchWhatTheWriterPrinted(String name) throws IOException {
        List<String> want = new ArrayList<>();
        expected().getAsJsonObject(name).getAsJsonArray("names").forEach(n -> want.add(n.getAsString()));
        assertEquals(want, ClassNames.read(DIR.resolve(name)).names());
    }

    @org.junit.jupiter.api.Test
    void idxImagesKeepTheirShapeForModels() {
        DataFiles.Vectors v = DataFiles.readVectors(DIR.resolve("mnistgz-images-idx3-ubyte.gz"), Integer.MAX_VALUE);
        assertArrayEquals(new long[] {1, 4, 3}, v.imageShape());
        assertEquals(DataFormat.IDX, DataFormat.detect(DIR.resolve("mnist-images-idx3-ubyte")));
        assertEquals(DataFormat.NPY, DataFormat.detect(DIR.resolve("numpy_float32.npy.gz")));
        assertEquals(DataFormat.TEXT, DataFormat.detect(DIR.resolve("pandas_index.csv")));
    }
}
