package dev.torchsight.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.cam.Target;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.NativeErrors;
import dev.torchsight.io.Preprocessing;
import dev.torchsight.render.Overlay;
import dev.torchsight.tsne.TsneMethod;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Library exceptions speak of values, not command-line flags, and carry a kind and the offending value
 * (the CLI adds the flag); libtorch's reason arrives as one line without its C++ backtrace.
 */
class LibraryLanguageTest {
    static TorchsightException refused(Kind kind, Object value, Executable call) {
        TorchsightException e = assertThrows(TorchsightException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        if (value != null) {
            assertEquals(value, e.value());
        }
        assertFalse(e.getMessage().contains("--"), "no flags in library messages: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void preprocessingNamesTheStatisticOrSizeAtFault() {
        double[] ok = Preprocessing.IMAGENET_MEAN;
        refused(Kind.MEAN, Double.NaN, () -> new Preprocessing(8, 8, new double[] {Double.NaN, 0, 0}, ok));
        refused(Kind.MEAN, 2, () -> new Preprocessing(8, 8, new double[] {0, 0}, ok));
        refused(Kind.STD, 0.0, () -> new Preprocessing(8, 8, ok, new double[] {0.2, 0, 0.2}));
        refused(Kind.STD, Double.POSITIVE_INFINITY, () -> new Preprocessing(8, 8, ok, new double[] {0.2, Double.POSITIVE_INFINITY, 0.2}));
        refused(Kind.INPUT_SIZE, 0, () -> Preprocessing.imagenet(0));
        refused(Kind.INPUT_SIZE, 100_000, () -> Preprocessing.imagenet(100_000));
        try (PointerScope scope = new PointerScope()) {
            Mat grey = new Mat(8, 8, opencv_core.CV_8UC1);
            refused(Kind.INPUT, 0, () -> Preprocessing.imagenet(8).batch(List.of(grey)));
        }
    }

    @Test
    void preprocessingResultsAreTheCallers() {
        try (PointerScope outer = new PointerScope()) {
            Mat image = new Mat(10, 12, opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(30, 60, 90, 0));
            Tensor kept = Preprocessing.imagenet(8).apply(image);
            Tensor scoped;
            try (PointerScope inner = new PointerScope()) {
                scoped = Preprocessing.imagenet(8).batch(List.of(image));
            }
            assertTrue(scoped.isNull(), "freed with the caller's scope");
            assertFalse(kept.isNull());
            assertEquals(List.of(3L, 8L, 8L), List.of(kept.size(0), kept.size(1), kept.size(2)));
        }
    }

    @Test
    void overlayNamesTheWeightAndTheMap() {
        try (PointerScope scope = new PointerScope()) {
            Mat image = new Mat(4, 4, opencv_core.CV_8UC3);
            float[] map = new float[4];
            refused(Kind.ALPHA, 1.5, () -> Overlay.jet(image, map, 2, 2, 1.5));
            refused(Kind.ALPHA, Double.NaN, () -> Overlay.jet(image, map, 2, 2, Double.NaN));
            refused(Kind.INPUT, null, () -> Overlay.jet(image, map, 3, 2, 0.5));
            refused(Kind.OUTPUT, Path.of("x.gif"), () -> Overlay.write(image, Path.of("x.gif")));
            Mat blended;
            try (PointerScope inner = new PointerScope()) {
                blended = Overlay.jet(image, map, 2, 2, 0.5);
                assertEquals(4, blended.rows());
            }
            assertTrue(blended.isNull(), "freed with the caller's scope");
        }
    }

    @Test
    void threadsDeviceTargetAndMethodSpeakInValues() {
        refused(Kind.THREADS, 0, () -> Threads.configure(0));
        refused(Kind.DEVICE, "tpu", () -> Device.parse("tpu"));
        refused(Kind.CLASS_INDEX, -1, () -> Target.classIndex(-1));
        refused(Kind.TOP_K, 0, () -> Target.topK(0));
        refused(Kind.METHOD, "fast", () -> TsneMethod.parse("fast"));
    }

    @Test
    void libtorchsReasonIsItsLastScriptErrorOrFirstLineWithoutBacktrace() {
        String script = "The following operation failed in the TorchScript interpreter.\n"
                + "Traceback of TorchScript (most recent call last):\n"
                + "  File \"code/__torch__.py\", line 10, in forward\n"
                + "    _1 = torch.conv2d(input, weight)\n"
                + "         ~~~~~~~~~~~~ <--- HERE\n"
                + "RuntimeError: Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 1, 64, 64] to have 3 channels\n";
        assertEquals("Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 1, 64, 64] to have 3 channels",
                NativeErrors.reason(new RuntimeException(script)));
        String plain = "open file failed because of errno 2 on fopen: No such file or directory, file path: x.pt\n"
                + "Exception raised from RAIIFile at ../caffe2/serialize/file_adapter.cc:30 (most recent call first):\n"
                + "frame #0: c10::Error::Error(...) + 0x8d";
        assertEquals("open file failed because of errno 2 on fopen: No such file or directory, file path: x.pt",
                NativeErrors.reason(new RuntimeException(plain)));
        assertEquals("shape mismatch", NativeErrors.reason(new RuntimeException("shape mismatch Exception raised from f at a.cpp:1")));
        assertEquals("RuntimeException", NativeErrors.reason(new RuntimeException((String) null)));
        assertTrue(NativeErrors.reason(new RuntimeException("x".repeat(1000))).length() <= 303);
    }
}
