package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * KPCA-CAM (Karmani et al.): the first kernel-principal component of the activations (positions as
 * samples, channels as features, centred per channel); no gradients. Kernel and conventions are
 * scikit-learn's KernelPCA defaults, as pytorch-grad-cam calls it: sigmoid kernel
 * {@code tanh(x.y / channels + 1)}, centred in feature space, top eigenvector scaled by the square root of
 * its eigenvalue, its sign chosen so its largest-magnitude entry is positive. Computed in double on the CPU
 * (a dense eigendecomposition of the positions x positions kernel); scikit-learn works in float32, which
 * moves the maps by up to ~3e-4 on a 64-channel 8 x 8 layer.
 */
public final class KpcaCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    @Override
    public String name() {
        return "kpcacam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    protected Tensor camImage(CamContext c) {
        Tensor a = c.activations();
        long n = a.size(0), channels = a.size(1), h = a.size(2), w = a.size(3);
        Tensor x = torch.nan_to_num(a.cpu().to(torch.ScalarType.Double), new DoubleOptional(0.0), new DoubleOptional(),
                new DoubleOptional()).reshape(n, channels, h * w).transpose(1, 2);
        x = x.sub(x.mean(new long[] {1}, true, new ScalarTypeOptional()));
        Tensor k = torch.tanh(torch.bmm(x, x.transpose(1, 2)).mul(new Scalar(1.0 / channels)).add(new Scalar(1.0)));
        k = k.sub(k.mean(new long[] {1}, true, new ScalarTypeOptional())).sub(k.mean(new long[] {2}, true, new ScalarTypeOptional()))
                .add(k.mean(new long[] {1, 2}, true, new ScalarTypeOptional()));
        T_TensorTensor_T eig = torch.linalg_eigh(k, "L");  // ascending eigenvalues
        Tensor value = eig.get0().select(1, h * w - 1).clamp_min(new Scalar(0.0));  // N
        Tensor vector = eig.get1().select(2, h * w - 1);  // N x hw, unit norm
        Tensor sign = vector.gather(1, vector.abs().argmax(new LongOptional(1), true)).sign();
        Tensor projection = vector.mul(sign).mul(value.sqrt().unsqueeze(1));
        return projection.reshape(n, h, w).to(a.device(), a.scalar_type());
    }
}
