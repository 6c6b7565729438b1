package dev.torchsight.render;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.Labels;
import dev.torchsight.tsne.Embedding;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes an embedding's coordinates (and labels) as CSV or JSON, chosen by the file extension. */
public final class EmbeddingWriter {
    private EmbeddingWriter() {}

    /** Writes {@code x,y[,label]} rows (.csv) or a JSON document with points and run metadata (.json). */
    public static void write(Embedding e, Labels labels, Path file) {
        try (AtomicFiles.Transaction files = new AtomicFiles.Transaction()) {
            write(e, labels, file, files);
            files.commit();
        }
    }

    /** As {@link #write(Embedding, Labels, Path)}, as part of {@code files} (it appears on commit). */
    public static void write(Embedding e, Labels labels, Path file, AtomicFiles.Transaction files) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            files.stage(file, tmp -> {
                try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    boolean threeD = e.dimensions() == 3;
                    w.write((threeD ? "x,y,z" : "x,y") + (labels == null ? "\n" : ",label\n"));
                    for (int i = 0; i < e.size(); i++) {
                        w.write(Double.toString(e.x(i)));
                        w.write(',');
                        w.write(Double.toString(e.y(i)));
                        if (threeD) {
                            w.write(',');
                            w.write(Double.toString(e.z(i)));
                        }
                        if (labels != null) {
                            w.write(',');
                            w.write(csvCell(labels.classNames().get(labels.codes()[i])));
                        }
                        w.write('\n');
                    }
                }
            });
        } else if (name.endsWith(".json")) {
            JsonObject root = new JsonObject();
            root.addProperty("method", e.method() == null ? null : e.method().cliName());
            root.addProperty("dimensions", e.dimensions());
            number(root, "perplexity", e.perplexity());
            root.addProperty("iterations", e.iterations());
            number(root, "klDivergence", e.klDivergence());
            number(root, "elapsedSeconds", e.elapsedSeconds());
            JsonArray points = new JsonArray();
            for (int i = 0; i < e.size(); i++) {
                JsonObject p = new JsonObject();
                number(p, "x", e.x(i));
                number(p, "y", e.y(i));
                if (e.dimensions() == 3) {
                    number(p, "z", e.z(i));
                }
                if (labels != null) {
                    p.addProperty("label", labels.classNames().get(labels.codes()[i]));
                }
                points.add(p);
            }
            root.add("points", points);
            String json = new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root);
            files.stage(file, tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
        } else {
            throw new TorchsightException(TorchsightException.Kind.OUTPUT, file, "unknown embedding format: " + file.getFileName() + "; use a .csv or .json file name");
        }
    }

    /** JSON has no NaN or Infinity: such a value is written as null. */
    private static void number(JsonObject o, String key, double value) {
        if (Double.isFinite(value)) {
            o.addProperty(key, value);
        } else {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        }
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
