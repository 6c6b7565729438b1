package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Score-CAM (Wang et al.): each channel, upsampled (bilinear, corners aligned) and scaled to [0, 1], masks
 * the input; the softmax over channels of the target's scores on the masked inputs weighs the channels.
 * Masked inputs are made {@link CamContext#camBatch()} at a time and freed before the next chunk, so memory
 * stays bounded by one chunk; a constant channel masks the input to zeros, whose score is computed once per
 * image. The masked passes go through {@link CamContext#scoreRows} (channels-last on the CPU).
 */
public final class ScoreCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "scorecam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    protected Tensor channelWeights(CamContext c) {
        Tensor a = c.activations();
        int n = (int) a.size(0);
        int channels = (int) a.size(1);
        long[] size = {c.input().size(2), c.input().size(3)};
        float[] scores = new float[n * channels];
        for (int i = 0; i < n; i++) {
            Tensor image = c.input().narrow(0, i, 1);
            Float blank = null;
            for (int from = 0; from < channels; from += c.camBatch()) {
                int k = Math.min(c.camBatch(), channels - from);
                // One scope per chunk: its masks and masked inputs are freed before the next chunk's.
                try (PointerScope chunk = new PointerScope()) {
                    Tensor up = torch.upsample_bilinear2d(a.narrow(0, i, 1).narrow(1, from, k), size, true).transpose(0, 1);
                    Tensor flat = up.reshape(k, -1);
                    Tensor min = flat.amin(new long[] {1}, true);
                    Tensor range = flat.amax(new long[] {1}, true).sub(min);
                    Tensor masks = flat.sub(min).div(range.add(new Scalar(1e-8))).reshape(k, 1, size[0], size[1]);
                    float[] ranges = MapValues.floats(range);
                    long[] varying = IntStream.range(0, k).filter(j -> ranges[j] != 0).asLongStream().toArray();
                    float[] got = varying.length == 0 ? new float[0]
                            : c.scoreRows(image.mul(masks.index_select(0, Tensor.create(varying))), c.targets().get(i));
                    for (int j = 0, v = 0; j < k; j++) {
                        if (ranges[j] != 0) {
                            scores[i * channels + from + j] = got[v++];
                        } else {
                            if (blank == null) {
                                blank = c.scoreRows(torch.zeros_like(image), c.targets().get(i))[0];
                            }
                            scores[i * channels + from + j] = blank;
                        }
                    }
                }
            }
        }
        return torch.softmax(Tensor.create(scores, n, channels), 1, new ScalarTypeOptional()).to(a.device(), a.scalar_type());
    }
}
