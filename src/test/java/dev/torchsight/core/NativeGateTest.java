package dev.torchsight.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every compiled torchsight class that refers to a JavaCPP class (org.bytedeco) runs the native gate in
 * its static initialiser, so no class can be the first to load a native library: read from the class
 * files' constant pools, so a class added later without the gate fails here.
 */
class NativeGateTest {
    private static final Path CLASSES = Path.of("target/classes/dev/torchsight");
    private static final String GATE = "dev/torchsight/core/Natives";

    @Test
    void everyClassThatTouchesJavaCppPassesTheGateFirst() throws IOException {
        List<String> missing = new ArrayList<>();
        Set<String> gatedHosts = new HashSet<>();
        List<String> nested = new ArrayList<>();
        int gated = 0;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                ClassInfo info = ClassInfo.read(file);
                String name = CLASSES.relativize(file).toString();
                boolean exempt = info.isInterface() || name.equals("core/Natives.class") || name.startsWith("core/ElfDependencies");
                if (exempt || info.strings().stream().noneMatch(s -> s.contains("org/bytedeco/"))) {
                    continue;
                }
                boolean hasGate = info.strings().contains(GATE) && info.strings().contains("ensureLoaded")
                        && info.strings().contains("<clinit>");
                if (hasGate) {
                    gated++;
                    gatedHosts.add(name.replace(".class", ""));
                } else if (name.contains("$")) {
                    nested.add(name);
                } else {
                    missing.add(name);
                }
            }
        }
        // A nested class (a builder made by its host's static factory, a record the host returns, a JavaCPP
        // mapping loaded through its host) is reached through its host, whose initialiser runs the gate.
        for (String name : nested) {
            if (!gatedHosts.contains(name.substring(0, name.indexOf('$')))) {
                missing.add(name + " (its host is not gated)");
            }
        }
        assertEquals(List.of(), missing, "classes that refer to org.bytedeco without Natives.ensureLoaded() in a static initialiser");
        assertTrue(gated >= 25, "the scan found the gated classes (" + gated + ")");
    }

    /** The constant pool's UTF-8 strings and the access flags of a class file. */
    record ClassInfo(Set<String> strings, int access) {
        boolean isInterface() {
            return (access & 0x0200) != 0;
        }

        static ClassInfo read(Path file) throws IOException {
            try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                if (data.readInt() != 0xCAFEBABE) {
                    throw new IOException("not a class file: " + file);
                }
                data.readUnsignedShort();
                data.readUnsignedShort();
                int count = data.readUnsignedShort();
                Set<String> strings = new HashSet<>();
                for (int i = 1; i < count; i++) {
                    int tag = data.readUnsignedByte();
                    switch (tag) {
                        case 1 -> strings.add(data.readUTF());
                        case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                        case 5, 6 -> {
                            data.skipBytes(8);
                            i++;  // longs and doubles take two slots
                        }
                        case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                        case 15 -> data.skipBytes(3);
                        default -> throw new IOException("unknown constant tag " + tag + " in " + file);
                    }
                }
                return new ClassInfo(strings, data.readUnsignedShort());
            }
        }
    }
}
