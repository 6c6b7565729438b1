package dev.torchsight.tsne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.core.Threads;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class PcaTest {
    @Test
    void randomizedPcaCapturesTheSameVarianceAsTheExactOne() {
        Threads.current();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(3);
            // Rank-40 signal with decaying strength plus small noise: 600 samples x 900 features.
            Tensor scales = torch.linspace(new Scalar(10.0), new Scalar(1.0), 40).unsqueeze(0);
            Tensor x = torch.randn(600, 40).mul(scales).mm(torch.randn(40, 900)).add(torch.randn(600, 900).mul(new Scalar(0.1)));
            Tensor centred = x.sub(x.mean(new long[] {0}, true, new ScalarTypeOptional()));
            Tensor exact = Pca.project(x, 30);  // 600 < 2048: exact covariance/Gram route
            Tensor approx = Pca.randomized(centred, 30);
            double ve = exact.square().sum().item_double();
            double va = approx.square().sum().item_double();
            assertEquals(1.0, va / ve, 1e-3, "captured variance ratio");
            // Each component's variance matches too (same ordering).
            Tensor varE = exact.square().sum(new long[] {0}, false, new ScalarTypeOptional());
            Tensor varA = approx.square().sum(new long[] {0}, false, new ScalarTypeOptional());
            double worst = varA.sub(varE).abs().div(varE).max().item_double();
            assertTrue(worst < 1e-2, "per-component variance relative error " + worst);
        }
    }
}
