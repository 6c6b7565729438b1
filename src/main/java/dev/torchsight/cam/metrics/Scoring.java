package dev.torchsight.cam.metrics;

import dev.torchsight.cam.CamTarget;
import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.Model;
import dev.torchsight.model.ModelOutput;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a model on images made in Java, a bounded number per forward pass, and reads each image's
 * target score back. Every tensor it makes is freed before it returns.
 */
final class Scoring {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final Model model;
    private final int batchSize;
    private final int channels;
    private final int height;
    private final int width;
    private final torch.ScalarType type;

    /** Scoring for images shaped like the batch's (its channels, height, width and element type). */
    Scoring(Model model, int batchSize, Tensor batch) {
        this.model = model;
        this.batchSize = batchSize;
        this.channels = (int) batch.size(1);
        this.height = (int) batch.size(2);
        this.width = (int) batch.size(3);
        this.type = batch.scalar_type();
    }

    /** Image {@code index} of a 4-D batch as {@code channels x height x width} floats. */
    static float[] image(Tensor batch, int index) {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = batch.select(0, index).cpu().to(torch.ScalarType.Float).contiguous();
            float[] out = new float[(int) t.numel()];
            t.data_ptr_float().get(out);
            return out;
        }
    }

    /**
     * The scores of {@code count} images, image k made by {@code images} and scored by
     * {@code targets}'s k-th function. With {@code probability}, a target of one class on a model
     * whose output is N x classes is scored by that class's softmax probability instead.
     */
    double[] scores(int count, IntFunction<float[]> images, IntFunction<CamTarget> targets, boolean probability) {
        int size = channels * height * width;
        double[] out = new double[count];
        for (int from = 0; from < count; from += batchSize) {
            int rows = Math.min(batchSize, count - from);
            float[] chunk = new float[rows * size];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(images.apply(from + r), 0, chunk, r * size, size);
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor input = Tensor.create(chunk, rows, channels, height, width);
                if (type != torch.ScalarType.Float) {
                    input = input.to(type);
                }
                Tensor output = model.predict(input);
                Tensor softmax = null;
                ModelOutput wrapped = ModelOutput.of(output);
                for (int r = 0; r < rows; r++) {
                    CamTarget target = targets.apply(from + r);
                    int cls = target.classIndex();
                    if (probability && cls >= 0 && output.dim() == 2 && output.is_floating_point()) {
                        if (cls >= output.size(1)) {
                            throw new TorchsightException(Kind.CLASS_INDEX, cls, "class index " + cls + " is out of range: "
                                    + "the model has " + output.size(1) + " classes (use 0.." + (output.size(1) - 1) + ")");
                        }
                        if (softmax == null) {
                            softmax = torch.softmax(output, 1, new ScalarTypeOptional()).cpu().to(torch.ScalarType.Double)
                                    .contiguous();
                        }
                        out[from + r] = softmax.data_ptr_double().get((long) r * output.size(1) + cls);
                    } else {
                        Tensor s = target.score(wrapped, r);
                        if (s.numel() != 1) {
                            throw new TorchsightException(Kind.MODEL, model.path(), "a target's score must be one number, "
                                    + "got shape " + Arrays.toString(s.sizes().vec().get()));
                        }
                        out[from + r] = s.item_double();
                    }
                }
            }
        }
        return out;
    }
}
