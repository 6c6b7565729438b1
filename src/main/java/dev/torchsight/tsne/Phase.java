package dev.torchsight.tsne;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;

/**
 * One phase of the optimisation: a number of iterations with P multiplied by {@code exaggeration} and
 * the given momentum. Each phase starts with zero momentum and unit gains, as scikit-learn's does.
 *
 * @param iterations iterations in this phase (at least 1)
 * @param exaggeration factor on P (at least 1 is usual; any positive value is allowed)
 * @param momentum in [0, 1)
 */
public record Phase(int iterations, double exaggeration, double momentum) {
    /** Checks the values. */
    public Phase {
        if (iterations < 1) {
            throw new TorchsightException(Kind.OPTIMIZER, iterations, "a phase needs at least 1 iteration, got "
                    + iterations);
        }
        if (!(exaggeration > 0) || !Double.isFinite(exaggeration)) {
            throw new TorchsightException(Kind.OPTIMIZER, exaggeration, "exaggeration must be positive and finite, got "
                    + exaggeration);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new TorchsightException(Kind.OPTIMIZER, momentum, "momentum must be in [0, 1), got " + momentum);
        }
    }
}
