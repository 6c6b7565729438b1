package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.model.Model;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * FullGrad (Srinivas and Fleuret): |input gradient x input| plus, for every layer that adds a bias
 * (Conv2d, BatchNorm2d), |bias x gradient at its output|; each channel scaled to [0, 1] and resized to
 * the input, then all summed. The requested layers are ignored: every bias layer is read.
 */
public final class FullGrad extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "fullgrad";
    }

    @Override
    protected List<String> layers(Model model, List<String> requested) {
        return model.biasLayers();
    }

    @Override
    protected boolean usesInputGradient() {
        return true;
    }

    @Override
    protected Tensor combinedMap(Tensor input, List<CamContext> layers, Tensor inputGradient) {
        long h = input.size(2);
        long w = input.size(3);
        Tensor total = perChannel(torch.abs(inputGradient.mul(input)), h, w);
        for (CamContext c : layers) {
            float[] b = c.model().bias(c.layer());
            Tensor bias = Tensor.create(b, 1, b.length, 1, 1).to(c.gradients().device(), c.gradients().scalar_type());
            total = total.add(perChannel(torch.abs(bias.mul(c.gradients())), h, w));
        }
        return total;
    }

    /** Each (image, channel) map scaled to [0, 1] and resized to h x w, then summed over channels. */
    private static Tensor perChannel(Tensor maps, long h, long w) {
        long n = maps.size(0);
        long channels = maps.size(1);
        Tensor scaled = MapValues.scale(maps.reshape(n * channels, maps.size(2), maps.size(3)), h, w);
        return scaled.reshape(n, channels, h, w).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    }
}
