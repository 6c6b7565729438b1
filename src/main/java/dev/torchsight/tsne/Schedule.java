package dev.torchsight.tsne;

/**
 * The optimisation schedule: scikit-learn's by default (early exaggeration 12 for 250 iterations at
 * momentum 0.5, then momentum 0.8; delta-bar-delta gains; KL checked every 50 iterations).
 */
record Schedule(int iterations, double earlyExaggeration, int exaggerationIterations, double earlyMomentum,
                double lateMomentum, double learningRate, double minGain, double minGradNorm, int checkEvery,
                int iterationsWithoutProgress) {

    /** scikit-learn's learning_rate='auto': max(N / early_exaggeration / 4, 50). */
    static double autoLearningRate(int n, double earlyExaggeration) {
        return Math.max(n / earlyExaggeration / 4.0, 50.0);
    }
}
