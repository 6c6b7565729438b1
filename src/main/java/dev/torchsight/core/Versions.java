package dev.torchsight.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;

/** Versions of torchsight and of the native stacks it runs on. */
public final class Versions {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private Versions() {}

    /** torchsight's own version, from the build. */
    public static String torchsight() {
        try (InputStream in = Versions.class.getResourceAsStream("/dev/torchsight/torchsight.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** libtorch version (the upstream part of the JavaCPP preset version). */
    public static String libtorch() {
        return upstream(presetVersion("pytorch"));
    }

    /** OpenCV version (the upstream part of the JavaCPP preset version). */
    public static String opencv() {
        return upstream(presetVersion("opencv"));
    }

    /** JavaCPP version. */
    public static String javacpp() {
        return presetVersion("javacpp");
    }

    private static String presetVersion(String artifact) {
        try {
            return artifact.equals("javacpp") ? Loader.getVersion() : Loader.getVersion("org.bytedeco", artifact);
        } catch (IOException e) {
            return null;
        }
    }

    private static String upstream(String presetVersion) {
        if (presetVersion == null) {
            return "not on the classpath";
        }
        int dash = presetVersion.lastIndexOf('-');
        return dash > 0 ? presetVersion.substring(0, dash) : presetVersion;
    }
}
