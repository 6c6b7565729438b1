package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A small CNN built from Java as a TorchScript module (so layer taps, Grad-CAM, saving and the CLI
 * treat it like any exported PyTorch model): {@code conv1 (3x3, ReLU) -> max-pool 2 -> conv2 -> ...
 * -> convK (no pool after the last) -> fc} on the flattened last map. Submodules are named
 * {@code conv1..convK} and {@code fc}; {@code convK} is the last convolutional layer. Weights use
 * PyTorch's default initialisation (uniform, bound 1/sqrt(fan in)) from a seed.
 */
public final class SmallCnn {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private SmallCnn() {}

    /**
     * Builds the network for {@code channels} x {@code size} x {@code size} inputs in [0, 1].
     *
     * @param widths filters of each convolution (K = widths.length layers)
     * @param classes outputs of fc
     * @param seed initialisation seed
     * @param mean subtracted inside the network before the first convolution
     * @param std divided by inside the network; a single-channel network averages RGB input to one
     *            channel first, so {@code torchsight gradcam} can feed it ordinary images
     * @return a trainable TorchScript module (parameters require grad, train mode)
     */
    public static JitModule build(int channels, int size, int[] widths, int classes, long seed, double mean, double std) {
        int pools = widths.length - 1;
        if (widths.length < 1 || size % (1 << pools) != 0) {
            throw new TorchsightException("SmallCnn needs an input size divisible by " + (1 << pools) + ", got " + size);
        }
        Threads.current();
        torch.manual_seed(seed);
        CompilationUnit unit = new CompilationUnit();
        JitModule root = module(unit, "SmallCnn");
        StringBuilder forward = new StringBuilder("def forward(self, x: Tensor) -> Tensor:\n");
        if (channels == 1) {
            forward.append("    if x.size(1) == 3:\n        x = x.mean(1, True)\n");
        }
        forward.append(String.format(java.util.Locale.ROOT, "    x = (x - %.17g) / %.17g\n", mean, std));
        int in = channels;
        for (int i = 0; i < widths.length; i++) {
            String name = "conv" + (i + 1);
            root.register_module(name, conv(unit, "Conv" + (i + 1), in, widths[i]));
            forward.append("    x = self.").append(name).append(".forward(x)\n");
            if (i < pools) {
                forward.append("    x = torch.max_pool2d(x, [2, 2])\n");
            }
            in = widths[i];
        }
        int side = size >> pools;
        int flat = in * side * side;
        JitModule fc = module(unit, "Linear");
        fc.register_parameter("weight", uniform(flat, classes, flat), false);
        fc.register_parameter("bias", uniform(flat, classes), false);
        fc.define("def forward(self, x: Tensor) -> Tensor:\n"
                + "    return torch.linear(x, self.weight, self.bias)\n");
        root.register_module("fc", fc);
        forward.append("    return self.fc.forward(torch.flatten(x, 1))\n");
        root.define(forward.toString());
        root.train(true);
        return root;
    }

    private static JitModule module(CompilationUnit unit, String name) {
        return new JitModule(new QualifiedName("__torch__.torchsight." + name), unit, false);
    }

    private static JitModule conv(CompilationUnit unit, String name, int in, int out) {
        JitModule conv = module(unit, name);
        int fanIn = in * 9;
        conv.register_parameter("weight", uniform(fanIn, out, in, 3, 3), false);
        conv.register_parameter("bias", uniform(fanIn, out), false);
        conv.define("def forward(self, x: Tensor) -> Tensor:\n"
                + "    return torch.relu(torch.conv2d(x, self.weight, self.bias, [1, 1], [1, 1]))\n");
        return conv;
    }

    /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)), requiring grad. */
    private static Tensor uniform(int fanIn, long... shape) {
        double bound = 1.0 / Math.sqrt(fanIn);
        return torch.rand(shape).mul(new Scalar(2 * bound)).sub(new Scalar(bound)).requires_grad_(true);
    }
}
