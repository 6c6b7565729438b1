package dev.torchsight.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The README's Java examples compile as written against this build, and close what they open: every call
 * that hands the caller a native object (a Model, a Mat, a Tensor) sits in a try-with-resources header or
 * inside a block whose try header opened a PointerScope (the ownership rule's two ways to close).
 */
class ReadmeExamplesTest {
    /** Calls whose result the caller owns and must close (see the ownership rule in dev.torchsight.core). */
    private static final Pattern OPENS = Pattern.compile(
            "Model\\.load\\(|Model\\.builder\\(\\)|Images\\.read\\(|\\.batch\\(|Overlay\\.jet\\(|FeatureExtractor\\.extract\\(");
    private static final String IMPORTS = String.join("\n",
            "import dev.torchsight.cam.*;", "import dev.torchsight.cam.metrics.*;", "import dev.torchsight.core.*;",
            "import dev.torchsight.io.*;",
            "import dev.torchsight.model.*;", "import dev.torchsight.render.*;", "import dev.torchsight.tsne.*;",
            "import java.nio.file.*;", "import java.util.*;", "import org.bytedeco.javacpp.PointerScope;",
            "import org.bytedeco.opencv.opencv_core.Mat;",
            "import org.bytedeco.pytorch.Tensor;", "import org.bytedeco.pytorch.global.torch;", "");

    static List<String> javaBlocks() throws IOException {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("README.md")));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void everyJavaExampleCompiles() throws IOException {
        List<String> blocks = javaBlocks();
        assertTrue(blocks.size() >= 3, "the README has its API examples (" + blocks.size() + ")");
        List<JavaFileObject> sources = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            String name = "ReadmeExample" + i;
            String code = IMPORTS + "class " + name + " {\n static void example() throws Exception {\n" + blocks.get(i) + "\n }\n}\n";
            sources.add(new SimpleJavaFileObject(java.net.URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            });
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        Path out = Files.createTempDirectory("readme-examples");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean ok = compiler.getTask(errors, null, null, List.of("-proc:none", "-d", out.toString(), "-cp", classPath),
                null, sources).call();
        assertTrue(ok, "README examples do not compile:\n" + errors);
    }

    @Test
    void everyNativeObjectAnExampleOpensIsClosed() throws IOException {
        List<String> unclosed = new ArrayList<>();
        for (String block : javaBlocks()) {
            boolean inHeader = false;
            boolean headerOpensScope = false;
            int depth = 0;
            int scopeDepth = Integer.MAX_VALUE;  // inside a block whose try header opened a PointerScope
            for (String line : block.lines().toList()) {
                String code = line.replaceAll("//.*", "").strip();
                if (code.startsWith("try (")) {
                    inHeader = true;
                    headerOpensScope = false;
                }
                if (inHeader && code.contains("new PointerScope()")) {
                    headerOpensScope = true;
                }
                if (OPENS.matcher(code).find() && !inHeader && depth < scopeDepth) {
                    unclosed.add(code);
                }
                for (char c : code.toCharArray()) {
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                }
                if (depth < scopeDepth && scopeDepth != Integer.MAX_VALUE) {
                    scopeDepth = Integer.MAX_VALUE;  // left the scoped block
                }
                if (inHeader && code.endsWith("{")) {
                    inHeader = false;
                    if (headerOpensScope) {
                        scopeDepth = depth;
                    }
                }
            }
        }
        assertEquals(List.of(), unclosed, "README lines that open a native object outside try-with-resources");
    }
}
