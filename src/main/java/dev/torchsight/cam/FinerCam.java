package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.Tensor;

/**
 * Finer-CAM (Zhang et al.): a base method (Grad-CAM by default) explaining, for the model's own top
 * classes (top-1 or each of the top k), a {@link FinerTarget} that compares each class with the three
 * other classes whose logits are closest to its own (ties by class index), so the map shows what sets it
 * apart from similar classes. Targets the caller names are explained as given (the base method's map).
 */
public final class FinerCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private static final int COMPARED = 3;
    private final CamMethod base;
    private final double alpha;

    /** Finer-CAM over Grad-CAM with alpha 1. */
    public FinerCam() {
        this(new GradCam(), 1.0);
    }

    /** Finer-CAM over {@code base}, subtracting the compared classes' logits times {@code alpha}. */
    public FinerCam(CamMethod base, double alpha) {
        this.base = base;
        this.alpha = alpha;
    }

    @Override
    public String name() {
        return "finercam";
    }

    @Override
    public boolean usesGradients() {
        return base.usesGradients();
    }

    @Override
    protected List<CamTarget> targets(List<CamTarget> requested, Tensor scores, boolean chosenByModel) {
        if (!chosenByModel || scores == null || scores.dim() != 2 || scores.size(1) < 2) {
            return requested;
        }
        int classes = (int) scores.size(1);
        double[] s = MapValues.doubles(scores);
        List<CamTarget> out = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            int row = i * classes;
            int main = requested.get(i).classIndex();
            List<Integer> compared = IntStream.range(0, classes).filter(j -> j != main).boxed()
                    .sorted(Comparator.comparingDouble(j -> Math.abs(s[row + j] - s[row + main])))
                    .limit(COMPARED).toList();
            out.add(new FinerTarget(main, compared, alpha));
        }
        return out;
    }

    @Override
    protected Tensor camImage(CamContext c) {
        return base.camImage(c);
    }
}
