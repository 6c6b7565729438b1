package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.LayerTap;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Shapley-CAM (Cai et al.): each channel weighed by the spatial mean of {@code g - H a / 2}, the gradient
 * g of the target scores minus half the Hessian-vector product with the activations a (a second-order
 * Shapley estimate). The product comes from one more forward pass with a differentiable gradient. Zero,
 * so equal to Grad-CAM, where the scores are piecewise linear in the layer (class logits after ReLU layers).
 * The layer's own output must be a spatial map (no token reshape).
 */
public final class ShapleyCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "shapleycam";
    }

    @Override
    protected Tensor channelWeights(CamContext c) {
        Tensor a = c.activations();
        if (!Arrays.equals(c.layerValues(0).sizes().vec().get(), a.narrow(0, 0, 1).sizes().vec().get())) {
            throw new TorchsightException(Kind.LAYER, c.layer(), "Shapley-CAM needs layer " + c.layer()
                    + " to output a spatial map N x C x H x W itself: its second-order gradient does not go through a token reshape");
        }
        Tensor hvp = torch.zeros_like(a);
        try (AutoGradMode grad = new AutoGradMode(true)) {
            LayerTap.runAll(List.of(c.tap()), c.input(), (output, values) -> {
                Tensor leaf = values.get(0).output();
                Tensor total = c.targets().get(0).score(output, 0).reshape();
                for (int i = 1; i < c.targets().size(); i++) {
                    total = total.add(c.targets().get(i).score(output, i).reshape());
                }
                Tensor g = torch.grad(new TensorVector(total), new TensorVector(leaf), new TensorVector(),
                        new BoolOptional(true), true, false).get(0);
                if (g.requires_grad()) {
                    Tensor h = torch.grad(new TensorVector(g), new TensorVector(leaf),
                            new TensorVector(values.get(0).finalValues().detach()), new BoolOptional(false), false, true).get(0);
                    if (h.defined()) {
                        hvp.copy_(h);
                    }
                }
                return null;
            });
        }
        return c.gradients().sub(hvp.mul(new Scalar(0.5))).mean(new long[] {2, 3}, false, new ScalarTypeOptional());
    }
}
