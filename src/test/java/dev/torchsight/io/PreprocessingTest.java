package dev.torchsight.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchsight.core.Threads;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
    @Test
    void channelOrderScalingAndNormalisationFollowToTensorAndNormalize() {
        Threads.current();
        byte[] bgr = new byte[3 * 4 * 4];
        for (int i = 0; i < bgr.length; i++) {
            bgr[i] = (byte) (i * 5);
        }
        try (PointerScope scope = new PointerScope()) {
            Mat a = new Mat(4, 4, opencv_core.CV_8UC3, new BytePointer(bgr));
            Mat b = new Mat(4, 4, opencv_core.CV_8UC3, new BytePointer(bgr));
            Preprocessing pre = Preprocessing.imagenet(4);
            Tensor batch = pre.batch(List.of(a, b));
            assertEquals(List.of(2L, 3L, 4L, 4L), List.of(batch.size(0), batch.size(1), batch.size(2), batch.size(3)));
            float[] v = new float[2 * 3 * 16];
            batch.contiguous().data_ptr_float().get(v);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 16; p++) {
                        int stored = bgr[p * 3 + (2 - c)] & 0xff;  // RGB channel c is BGR channel 2 - c
                        double expected = (stored / 255.0 - Preprocessing.IMAGENET_MEAN[c]) / Preprocessing.IMAGENET_STD[c];
                        assertEquals(expected, v[n * 48 + c * 16 + p], 1e-5, "n" + n + " c" + c + " p" + p);
                    }
                }
            }
            Tensor single = pre.apply(a);
            assertEquals(3, single.dim());
            assertEquals(v[5], single.contiguous().data_ptr_float().get(5), 0f);
        }
    }
}
