package dev.torchsight.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.torchsight.core.Natives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;
import org.junit.jupiter.api.Test;

/** The demo's network and trainer: seeded by their own generators, not libtorch's global one. */
class SmallCnnTest {
    @Test
    void buildingAndTrainingLeaveTheGlobalGeneratorAlone() {
        Natives.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(123);
            float[] expected = draw();
            torch.manual_seed(123);
            JitModule net = SmallCnn.build(1, 8, new int[] {4, 8}, 6, 3, 5, 0.0, 1.0);
            assertArrayEquals(expected, draw(), "the global generator's next draws after build");
            Tensor x = torch.rand(16, 1, 8, 8);
            Tensor y = Tensor.create(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16);
            torch.manual_seed(123);
            Trainer.fit(net, x, y, 2, 4, 1e-3, 9, epoch -> { });
            assertArrayEquals(expected, draw(), "the global generator's next draws after fit");
        }
    }

    @Test
    void theSeedDecidesTheWeights() {
        try (PointerScope scope = new PointerScope()) {
            float[] a = weights(SmallCnn.build(1, 8, new int[] {4, 8}, 6, 3, 5, 0.0, 1.0));
            float[] b = weights(SmallCnn.build(1, 8, new int[] {4, 8}, 6, 3, 5, 0.0, 1.0));
            float[] c = weights(SmallCnn.build(1, 8, new int[] {4, 8}, 6, 3, 6, 0.0, 1.0));
            assertArrayEquals(a, b, "same seed, same weights");
            assertFalse(Arrays.equals(a, c), "another seed, other weights");
            // conv1 4x1x3x3+4, conv2 8x4x3x3+8, hidden 6x(8*4*4)+6, fc 3x6+3
            assertEquals(40 + 296 + 774 + 21, a.length, "conv1, conv2, hidden and fc parameters");
        }
    }

    private static float[] draw() {
        float[] out = new float[8];
        torch.rand(8).data_ptr_float().get(out);
        return out;
    }

    private static float[] weights(JitModule net) {
        List<Float> all = new ArrayList<>();
        parameter_list list = net.parameters(true);
        for (parameter_iterator it = list.begin(); it.notEquals(list.end()); it = it.increment()) {
            Tensor p = it.access().detach().contiguous();
            float[] v = new float[(int) p.numel()];
            p.data_ptr_float().get(v);
            for (float f : v) {
                all.add(f);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }
}
