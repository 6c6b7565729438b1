package dev.torchsight.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.torchsight.core.TorchsightException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Class names by index, read from: the ImageNet-style listing {@code index synset name} per line
 * (e.g. {@code 0 n01440764 tench}), one name per line, or JSON (an array of names, or an object
 * mapping index to a name or to {@code [synset, name]}).
 */
public final class ClassNames {
    private static final Pattern INDEXED = Pattern.compile("^(\\d+)\\s+(n\\d{8})\\s+(.+)$");

    private final List<String> names;

    private ClassNames(List<String> names) {
        this.names = List.copyOf(names);
    }

    /** Names given directly, index i for class i. */
    public static ClassNames of(List<String> names) {
        return new ClassNames(names);
    }

    /** Reads any of the supported formats (JSON chosen by a .json name or a leading [ or {). */
    public static ClassNames read(Path path) {
        String text = new String(InputFiles.readAll(path, "class names"), StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new TorchsightException(path + " holds no class names");
        }
        if (text.startsWith("[") || text.startsWith("{")) {
            return fromJson(text, path);
        }
        List<String> lines = Arrays.stream(text.split("\r?\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (INDEXED.matcher(lines.get(0)).matches()) {
            Map<Integer, String> byIndex = new TreeMap<>();
            for (String line : lines) {
                Matcher m = INDEXED.matcher(line);
                if (!m.matches()) {
                    throw new TorchsightException(path + ": line '" + line + "' is not 'index synset name'");
                }
                byIndex.put(Integer.parseInt(m.group(1)), m.group(3).strip());
            }
            return new ClassNames(dense(byIndex, path));
        }
        return new ClassNames(lines);
    }

    private static ClassNames fromJson(String text, Path path) {
        try {
            JsonElement root = JsonParser.parseString(text);
            if (root.isJsonArray()) {
                List<String> names = new ArrayList<>();
                for (JsonElement e : root.getAsJsonArray()) {
                    names.add(e.getAsString());
                }
                return new ClassNames(names);
            }
            JsonObject obj = root.getAsJsonObject();
            Map<Integer, String> byIndex = new TreeMap<>();
            for (var e : obj.entrySet()) {
                JsonElement v = e.getValue();
                String name = v.isJsonArray() ? lastString(v.getAsJsonArray()) : v.getAsString();
                byIndex.put(Integer.parseInt(e.getKey().strip()), name);
            }
            return new ClassNames(dense(byIndex, path));
        } catch (JsonParseException | IllegalStateException | NumberFormatException | UnsupportedOperationException e) {
            throw new TorchsightException(path + " is not a class-name JSON (an array of names, or {\"0\": name} "
                    + "or {\"0\": [synset, name]}): " + e.getMessage(), e);
        }
    }

    private static String lastString(JsonArray a) {
        return a.get(a.size() - 1).getAsString();
    }

    private static List<String> dense(Map<Integer, String> byIndex, Path path) {
        List<String> names = new ArrayList<>();
        for (var e : byIndex.entrySet()) {
            if (e.getKey() != names.size()) {
                throw new TorchsightException(path + ": class indices must run 0, 1, 2, ... without gaps; missing " + names.size());
            }
            names.add(e.getValue());
        }
        return names;
    }

    /** Number of names. */
    public int size() {
        return names.size();
    }

    /** The name of class {@code index}, or "class N" when the list is shorter. */
    public String name(int index) {
        return index >= 0 && index < names.size() ? names.get(index) : "class " + index;
    }

    /** All names, by index. */
    public List<String> names() {
        return names;
    }
}
