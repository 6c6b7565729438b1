package dev.torchsight.io;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
 * Class names by index, read from UTF-8 text in one of three forms:
 * <ul>
 *   <li>the ImageNet-style listing {@code index synset name} per line (e.g. {@code 0 n01440764 tench});</li>
 *   <li>one name per line (blank lines ignored);</li>
 *   <li>JSON (chosen by a {@code .json} name or a leading {@code [} or <code>{</code>): an array of names,
 *       or an object mapping an index to a name or to {@code [synset, name]} (the last string counts),
 *       as torchvision's {@code imagenet_class_index.json}.</li>
 * </ul>
 * Indices must be whole numbers that run 0, 1, 2, ... with no gap or repeat. Anything else fails with
 * one line (kind CLASS_NAMES) that names the offending entry.
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

    /** Reads any of the supported forms. */
    public static ClassNames read(Path path) {
        Source src = new Source(path.toString(), Kind.CLASS_NAMES);
        String text = decode(InputFiles.readAll(path, src), src).strip();
        if (text.isEmpty()) {
            throw src.error(0, "holds no class names; give one name per line or a JSON array of names");
        }
        boolean json = InputFiles.baseName(path).endsWith(".json");
        if (json || text.startsWith("[") || text.startsWith("{")) {
            return new ClassNames(fromJson(text, src));
        }
        List<String> lines = Arrays.stream(text.split("\\R")).map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (!INDEXED.matcher(lines.get(0)).matches()) {
            return new ClassNames(lines);
        }
        Map<Long, String> byIndex = new TreeMap<>();
        for (String line : lines) {
            Matcher m = INDEXED.matcher(line);
            if (!m.matches()) {
                throw src.error(line, "line '" + shorten(line) + "' is not 'index synset name' like the lines before it");
            }
            put(byIndex, index(m.group(1), src), m.group(3).strip(), src);
        }
        return new ClassNames(dense(byIndex, src));
    }

    private static String decode(byte[] bytes, Source src) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            if (s.indexOf('\0') >= 0) {
                throw src.error(null, "holds NUL bytes: this is a binary file, not class names");
            }
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw src.error(null, "is not UTF-8 text; save the class names as UTF-8");
        }
    }

    private static List<String> fromJson(String text, Source src) {
        try (JsonReader in = new JsonReader(new StringReader(text))) {
            List<String> names;
            JsonToken root = in.peek();
            if (root == JsonToken.BEGIN_ARRAY) {
                names = new ArrayList<>();
                in.beginArray();
                while (in.hasNext()) {
                    names.add(name(in, "element " + names.size(), src));
                }
                in.endArray();
            } else if (root == JsonToken.BEGIN_OBJECT) {
                Map<Long, String> byIndex = new TreeMap<>();
                in.beginObject();
                while (in.hasNext()) {
                    String key = in.nextName();
                    long index = index(key, src);
                    put(byIndex, index, name(in, "entry \"" + shorten(key) + "\"", src), src);
                }
                in.endObject();
                names = dense(byIndex, src);
            } else {
                throw src.error(root, "holds a JSON " + root.name().toLowerCase(java.util.Locale.ROOT)
                        + "; class names in JSON are an array of names or an object {\"0\": name} or {\"0\": [synset, name]}");
            }
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw src.error(null, "has more JSON after the class names; give one array or object");
            }
            if (names.isEmpty()) {
                throw src.error(0, "holds no class names; give at least one");
            }
            return names;
        } catch (IOException | IllegalStateException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\\R")[0]
                    .replaceFirst("Use JsonReader\\.set\\w+\\([^)]*\\) to accept malformed JSON", "malformed JSON");
            throw src.error(null, "is not valid class-name JSON (" + reason + "); give an array of names, or "
                    + "{\"0\": name} or {\"0\": [synset, name]}", e);
        }
    }

    /** A name: a JSON string, or a non-empty array of strings whose last one is the name. */
    private static String name(JsonReader in, String where, Source src) throws IOException {
        JsonToken t = in.peek();
        if (t == JsonToken.STRING) {
            return in.nextString();
        }
        if (t == JsonToken.BEGIN_ARRAY) {
            in.beginArray();
            String last = null;
            while (in.hasNext()) {
                if (in.peek() != JsonToken.STRING) {
                    throw src.error(in.peek(), where + " holds a " + in.peek().name().toLowerCase(java.util.Locale.ROOT)
                            + " inside its array; give [synset, name] as strings");
                }
                last = in.nextString();
            }
            in.endArray();
            if (last == null) {
                throw src.error("[]", where + " is an empty array; give a name or [synset, name]");
            }
            return last;
        }
        throw src.error(t, where + " is a JSON " + t.name().toLowerCase(java.util.Locale.ROOT)
                + ", not a name; give a string or [synset, name]");
    }

    private static long index(String key, Source src) {
        String k = key.strip();
        if (!k.matches("\\d{1,18}")) {
            throw src.error(shorten(key), "class index \"" + shorten(key) + "\" is not a whole number from 0 up");
        }
        long index = Long.parseLong(k);
        if (index > Integer.MAX_VALUE) {
            throw src.error(index, "class index " + index + " is beyond any class count; indices run 0, 1, 2, ...");
        }
        return index;
    }

    private static void put(Map<Long, String> byIndex, long index, String name, Source src) {
        if (byIndex.put(index, name) != null) {
            throw src.error(index, "class index " + index + " is given twice; give each index once");
        }
    }

    private static List<String> dense(Map<Long, String> byIndex, Source src) {
        List<String> names = new ArrayList<>();
        for (var e : byIndex.entrySet()) {
            if (e.getKey() != names.size()) {
                throw src.error(names.size(), "class indices must run 0, 1, 2, ... without gaps; index "
                        + names.size() + " is missing");
            }
            names.add(e.getValue());
        }
        return names;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
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
