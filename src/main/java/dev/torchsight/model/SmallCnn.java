package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A small CNN built from Java as a TorchScript module (so layer taps, Grad-CAM, saving and the CLI
 * treat it like any exported PyTorch model): {@code conv1 (3x3, ReLU) -> max-pool 2 -> conv2 -> ...
 * -> convK (no pool after the last) -> [hidden (linear, ReLU)] -> fc} on the flattened last map.
 * Submodules are named {@code conv1..convK}, {@code hidden} (when asked for) and {@code fc};
 * {@code convK} is the last convolutional layer. Weights use PyTorch's default initialisation
 * (uniform, bound 1/sqrt(fan in)) drawn from a generator of their own, so building a network leaves
 * libtorch's global generator as it was.
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
        return build(channels, size, widths, 0, classes, seed, mean, std);
    }

    /**
     * As {@link #build(int, int, int[], int, long, double, double)}, with a fully connected
     * {@code hidden} layer of {@code hidden} units (ReLU) between the flattened last map and
     * {@code fc}; none when {@code hidden} is 0.
     */
    public static JitModule build(int channels, int size, int[] widths, int hidden, int classes, long seed,
                                  double mean, double std) {
        int pools = widths.length - 1;
        if (widths.length < 1 || size % (1 << pools) != 0) {
            throw new TorchsightException("SmallCnn needs an input size divisible by " + (1 << pools) + ", got " + size);
        }
        if (hidden < 0) {
            throw new TorchsightException("SmallCnn needs 0 or more hidden units, got " + hidden);
        }
        Threads.current();
        Generator random = torch.createCPUGenerator(seed);
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
            root.register_module(name, conv(unit, "Conv" + (i + 1), in, widths[i], random));
            forward.append("    x = self.").append(name).append(".forward(x)\n");
            if (i < pools) {
                forward.append("    x = torch.max_pool2d(x, [2, 2])\n");
            }
            in = widths[i];
        }
        int side = size >> pools;
        int flat = in * side * side;
        forward.append("    x = torch.flatten(x, 1)\n");
        if (hidden > 0) {
            root.register_module("hidden", linear(unit, "Hidden", flat, hidden, true, random));
            forward.append("    x = self.hidden.forward(x)\n");
            flat = hidden;
        }
        root.register_module("fc", linear(unit, "Linear", flat, classes, false, random));
        forward.append("    return self.fc.forward(x)\n");
        root.define(forward.toString());
        root.train(true);
        return root;
    }

    private static JitModule module(CompilationUnit unit, String name) {
        return new JitModule(new QualifiedName("__torch__.torchsight." + name), unit, false);
    }

    private static JitModule conv(CompilationUnit unit, String name, int in, int out, Generator random) {
        JitModule conv = module(unit, name);
        int fanIn = in * 9;
        conv.register_parameter("weight", uniform(random, fanIn, out, in, 3, 3), false);
        conv.register_parameter("bias", uniform(random, fanIn, out), false);
        conv.define("def forward(self, x: Tensor) -> Tensor:\n"
                + "    return torch.relu(torch.conv2d(x, self.weight, self.bias, [1, 1], [1, 1]))\n");
        return conv;
    }

    private static JitModule linear(CompilationUnit unit, String name, int in, int out, boolean relu, Generator random) {
        JitModule linear = module(unit, name);
        linear.register_parameter("weight", uniform(random, in, out, in), false);
        linear.register_parameter("bias", uniform(random, in, out), false);
        String y = "torch.linear(x, self.weight, self.bias)";
        linear.define("def forward(self, x: Tensor) -> Tensor:\n"
                + "    return " + (relu ? "torch.relu(" + y + ")" : y) + "\n");
        return linear;
    }

    /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)) from {@code random}, requiring grad. */
    private static Tensor uniform(Generator random, int fanIn, long... shape) {
        double bound = 1.0 / Math.sqrt(fanIn);
        return torch.empty(shape).uniform_(-bound, bound, new GeneratorOptional(random)).requires_grad_(true);
    }
}
