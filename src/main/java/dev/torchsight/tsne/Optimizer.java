package dev.torchsight.tsne;

import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Runs the schedule over a gradient backend. Java drives the phases and progress; every per-point
 * loop (gradient, gains, momentum, KL) is native, on buffers allocated once per run.
 */
final class Optimizer {
    /** Where the optimisation ended. */
    record Outcome(int iterations, double lastNormalization) { }

    private final Schedule schedule;
    private final int threads;

    Optimizer(Schedule schedule, int threads) {
        this.schedule = schedule;
        this.threads = threads;
    }

    /**
     * Optimises y (n x 2, in place).
     *
     * @param progress receives a KL report every {@code checkEvery} iterations
     * @param clock seconds since the fit started, for progress reports
     */
    Outcome run(GradientBackend backend, DoublePointer y, int n, TsneProgress progress,
                java.util.function.DoubleSupplier clock) {
        long len = 2L * n;
        try (DoublePointer update = new DoublePointer(len);
             DoublePointer gains = new DoublePointer(len);
             DoublePointer grad = new DoublePointer(len)) {
            int exploration = Math.min(schedule.exaggerationIterations(), schedule.iterations());
            Phase early = new Phase(0, exploration, schedule.earlyExaggeration(), schedule.earlyMomentum(),
                    schedule.exaggerationIterations());
            PhaseResult first = runPhase(early, backend, y, len, update, gains, grad, progress, clock);
            if (first.stoppedEarly || exploration >= schedule.iterations()) {
                return new Outcome(first.iterations, first.z);
            }
            Phase late = new Phase(exploration, schedule.iterations(), 1.0, schedule.lateMomentum(),
                    schedule.iterationsWithoutProgress());
            PhaseResult second = runPhase(late, backend, y, len, update, gains, grad, progress, clock);
            return new Outcome(second.iterations, second.z);
        }
    }

    private record Phase(int from, int to, double exaggeration, double momentum, int withoutProgress) { }

    private record PhaseResult(int iterations, double z, boolean stoppedEarly) { }

    private PhaseResult runPhase(Phase phase, GradientBackend backend, DoublePointer y, long len,
                                 DoublePointer update, DoublePointer gains, DoublePointer grad,
                                 TsneProgress progress, java.util.function.DoubleSupplier clock) {
        // Each phase starts with fresh momentum and gains, as scikit-learn's _gradient_descent does.
        update.fill(0);
        fill(gains, len, 1.0);
        double bestError = Double.MAX_VALUE;
        int bestIteration = phase.from;
        double z = 0;
        for (int i = phase.from; i < phase.to; i++) {
            z = backend.gradient(y, phase.exaggeration, grad);
            double gradNorm = TorchsightNative.tsne_update(len, y, update, gains, grad, phase.momentum,
                    schedule.learningRate(), schedule.minGain(), threads);
            if ((i + 1) % schedule.checkEvery() == 0 || i + 1 == schedule.iterations()) {
                double kl = backend.klDivergence(y, z);
                progress.report(new TsneProgress.Event("optimize", i + 1, schedule.iterations(), kl, gradNorm,
                        clock.getAsDouble()));
                if (kl < bestError) {
                    bestError = kl;
                    bestIteration = i;
                } else if (i - bestIteration > phase.withoutProgress) {
                    return new PhaseResult(i + 1, z, true);
                }
                if (gradNorm <= schedule.minGradNorm()) {
                    return new PhaseResult(i + 1, z, true);
                }
            }
        }
        return new PhaseResult(phase.to, z, false);
    }

    private static void fill(DoublePointer p, long len, double value) {
        double[] chunk = new double[(int) Math.min(len, 1 << 16)];
        java.util.Arrays.fill(chunk, value);
        for (long off = 0; off < len; off += chunk.length) {
            p.position(off).put(chunk, 0, (int) Math.min(chunk.length, len - off));
        }
        p.position(0);
    }
}
