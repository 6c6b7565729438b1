package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;

/** Trains a TorchScript classifier with Adam and cross-entropy on in-memory tensors. */
public final class Trainer {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private Trainer() {}

    /**
     * Trains {@code module} (train mode, parameters requiring grad) for {@code epochs} passes over
     * (images N x C x H x W, labels N int64) in shuffled mini-batches; leaves it in eval mode. The
     * shuffling draws from a generator of its own seeded with {@code seed}: libtorch's global
     * generator is left as it was.
     *
     * @param onEpoch called after each epoch with its number (1-based)
     */
    public static void fit(JitModule module, Tensor images, Tensor labels, int epochs, int batchSize,
                           double learningRate, long seed, IntConsumer onEpoch) {
        if (images.size(0) != labels.size(0)) {
            throw new TorchsightException("got " + images.size(0) + " images but " + labels.size(0) + " labels");
        }
        long n = images.size(0);
        TensorVector params = new TensorVector();
        parameter_list list = module.parameters(true);
        parameter_iterator end = list.end();  // one end iterator, not one per step (each is a native object)
        for (parameter_iterator it = list.begin(); it.notEquals(end); it = it.increment()) {
            params.push_back(it.access());
        }
        Adam adam = new Adam(params, new AdamOptions(learningRate));
        module.train(true);
        GeneratorOptional shuffle = new GeneratorOptional(torch.createCPUGenerator(seed));
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor order = torch.randperm(n, shuffle);
            for (long start = 0; start < n; start += batchSize) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor idx = order.narrow(0, start, Math.min(batchSize, n - start));
                    IValueVector in = new IValueVector();
                    in.push_back(new IValue(images.index_select(0, idx)));
                    Tensor logits = new Tensor(module.forward(in).toTensor());  // own handle: toTensor is a view into the IValue
                    Tensor loss = torch.cross_entropy_loss(logits, labels.index_select(0, idx));
                    adam.zero_grad();
                    loss.backward();
                    adam.step();
                }
            }
            onEpoch.accept(epoch);
        }
        module.eval();
    }

    /** Fraction of images whose top-1 prediction equals the label. */
    public static double accuracy(JitModule module, Tensor images, Tensor labels, int batchSize) {
        long correct = 0;
        long n = images.size(0);
        try (NoGradGuard guard = new NoGradGuard()) {
            for (long start = 0; start < n; start += batchSize) {
                try (PointerScope scope = new PointerScope()) {
                    long rows = Math.min(batchSize, n - start);
                    IValueVector in = new IValueVector();
                    in.push_back(new IValue(images.narrow(0, start, rows)));
                    Tensor pred = new Tensor(module.forward(in).toTensor()).argmax(new org.bytedeco.pytorch.LongOptional(1), false);
                    correct += pred.eq(labels.narrow(0, start, rows)).sum().item_long();
                }
            }
        }
        return correct / (double) n;
    }
}
