package dev.torchsight.model;

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
 * treat it like any exported PyTorch model):
 * {@code conv1 (3x3, ReLU) -> max-pool 2 -> conv2 (3x3, ReLU) -> max-pool 2 -> fc}.
 * Submodules are named {@code conv1}, {@code conv2} and {@code fc}; {@code conv2} is the last
 * convolutional layer. Weights use PyTorch's default initialisation (uniform, bound 1/sqrt(fan in)) from a seed.
 */
public final class SmallCnn {
    private SmallCnn() {}

    /**
     * Builds the network for {@code channels} x {@code size} x {@code size} inputs.
     *
     * @param width1 filters of conv1
     * @param width2 filters of conv2
     * @param classes outputs of fc
     * @param seed initialisation seed
     * @return a trainable TorchScript module (parameters require grad, train mode)
     */
    public static JitModule build(int channels, int size, int width1, int width2, int classes, long seed) {
        if (size % 4 != 0 || size < 4) {
            throw new TorchsightException("SmallCnn needs an input size divisible by 4, got " + size);
        }
        Threads.current();
        torch.manual_seed(seed);
        CompilationUnit unit = new CompilationUnit();
        JitModule root = module(unit, "SmallCnn");
        root.register_module("conv1", conv(unit, "Conv1", channels, width1));
        root.register_module("conv2", conv(unit, "Conv2", width1, width2));
        int flat = width2 * (size / 4) * (size / 4);
        JitModule fc = module(unit, "Linear");
        fc.register_parameter("weight", uniform(flat, classes, flat), false);
        fc.register_parameter("bias", uniform(flat, classes), false);
        fc.define("def forward(self, x: Tensor) -> Tensor:\n"
                + "    return torch.linear(x, self.weight, self.bias)\n");
        root.register_module("fc", fc);
        root.define("def forward(self, x: Tensor) -> Tensor:\n"
                + "    x = torch.max_pool2d(self.conv1.forward(x), [2, 2])\n"
                + "    x = torch.max_pool2d(self.conv2.forward(x), [2, 2])\n"
                + "    return self.fc.forward(torch.flatten(x, 1))\n");
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
