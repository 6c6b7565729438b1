package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.ModelOutput;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Finer-CAM's target: the main class's logit against similar classes, {@code sum_j p_j (s_main - alpha s_j)
 * / (sum_j p_j + 1e-9)} over the compared classes j, where s are the logits and p the softmax
 * probabilities (both differentiated).
 *
 * @param main the class explained
 * @param compared the classes it is told apart from (at least one)
 * @param alpha how strongly the compared classes' logits are subtracted (1 in Finer-CAM)
 */
public record FinerTarget(int main, List<Integer> compared, double alpha) implements CamTarget {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Checks the classes and keeps a copy of the compared ones. */
    public FinerTarget {
        compared = List.copyOf(compared);
        if (main < 0 || compared.isEmpty() || Collections.min(compared) < 0) {
            throw new TorchsightException(Kind.CLASS_INDEX, main, "a Finer-CAM target needs a class index >= 0 and "
                    + "at least one compared class >= 0, got " + main + " and " + compared);
        }
    }

    @Override
    public Tensor score(ModelOutput output, int image) {
        Tensor row = Targets.row(output, image, Math.max(main, Collections.max(compared)));
        Tensor index = Tensor.create(compared.stream().mapToLong(Integer::longValue).toArray()).to(row.device(), torch.ScalarType.Long);
        Tensor weights = torch.softmax(row, 0, new ScalarTypeOptional()).index_select(0, index);
        Tensor gaps = row.index_select(0, index).mul(new Scalar(-alpha)).add(row.select(0, main));
        return weights.mul(gaps).sum().div(weights.sum().add(new Scalar(1e-9)));
    }

    @Override
    public int classIndex() {
        return main;
    }
}
