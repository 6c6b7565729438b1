package dev.torchsight.tsne;

import java.util.ArrayList;
import java.util.List;

/**
 * The optimisation schedule: phases run one after another with one learning rate, delta-bar-delta gains
 * and the stopping rules. scikit-learn's by default: early exaggeration 12 for 250 iterations at momentum
 * 0.5, then exaggeration 1 at momentum 0.8; KL checked every 50 iterations.
 *
 * @param iterationsWithoutProgress a phase after the first stops when the KL has not improved for this
 *     many iterations (the first phase never stops on it, as in scikit-learn)
 */
record Schedule(List<Phase> phases, double learningRate, double minGain, double minGradNorm, int checkEvery,
                int iterationsWithoutProgress) {

    Schedule {
        phases = List.copyOf(phases);
    }

    /** Total iterations over all phases. */
    int iterations() {
        return phases.stream().mapToInt(Phase::iterations).sum();
    }

    /**
     * The two standard phases: early exaggeration for {@code earlyIterations} (cut to the total), then the
     * rest at {@code exaggeration}.
     */
    static List<Phase> standard(int iterations, double earlyExaggeration, int earlyIterations, double earlyMomentum,
                                double exaggeration, double lateMomentum) {
        List<Phase> phases = new ArrayList<>();
        int early = Math.min(earlyIterations, iterations);
        if (early > 0) {
            phases.add(new Phase(early, earlyExaggeration, earlyMomentum));
        }
        if (iterations > early) {
            phases.add(new Phase(iterations - early, exaggeration, lateMomentum));
        }
        return phases;
    }

    /** scikit-learn's learning_rate='auto': max(N / early_exaggeration / 4, 50). */
    static double autoLearningRate(int n, double earlyExaggeration) {
        return Math.max(n / earlyExaggeration / 4.0, 50.0);
    }
}
