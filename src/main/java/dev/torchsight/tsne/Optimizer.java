package dev.torchsight.tsne;

import java.util.function.DoubleSupplier;

/**
 * Runs the schedule over a session. Java drives the phases, progress and stopping rules; the session
 * does every per-point loop (gradient, gains, momentum, KL) natively, on the CPU or on a GPU, and only
 * check iterations read anything back.
 */
final class Optimizer {
    /** Where the optimisation ended. */
    record Outcome(int iterations, double lastNormalization) { }

    private final Schedule schedule;

    Optimizer(Schedule schedule) {
        this.schedule = schedule;
    }

    /**
     * Optimises the session's embedding in place.
     *
     * @param progress receives a KL report every {@code checkEvery} iterations
     * @param clock seconds since the fit started, for progress reports
     */
    Outcome run(TsneSession session, TsneProgress progress, DoubleSupplier clock) {
        int exploration = Math.min(schedule.exaggerationIterations(), schedule.iterations());
        Phase early = new Phase(0, exploration, schedule.earlyExaggeration(), schedule.earlyMomentum(),
                schedule.exaggerationIterations());
        PhaseResult first = runPhase(early, session, progress, clock);
        if (first.stoppedEarly || exploration >= schedule.iterations()) {
            return new Outcome(first.iterations, session.scalars().normalization());
        }
        Phase late = new Phase(exploration, schedule.iterations(), 1.0, schedule.lateMomentum(),
                schedule.iterationsWithoutProgress());
        PhaseResult second = runPhase(late, session, progress, clock);
        return new Outcome(second.iterations, session.scalars().normalization());
    }

    private record Phase(int from, int to, double exaggeration, double momentum, int withoutProgress) { }

    private record PhaseResult(int iterations, boolean stoppedEarly) { }

    private PhaseResult runPhase(Phase phase, TsneSession session, TsneProgress progress, DoubleSupplier clock) {
        // Each phase starts with fresh momentum and gains, as scikit-learn's _gradient_descent does.
        session.resetOptimizer();
        double bestError = Double.MAX_VALUE;
        int bestIteration = phase.from;
        for (int i = phase.from; i < phase.to; i++) {
            session.step(phase.exaggeration, phase.momentum, schedule.learningRate(), schedule.minGain());
            if ((i + 1) % schedule.checkEvery() == 0 || i + 1 == schedule.iterations()) {
                TsneSession.Scalars scalars = session.scalars();
                double kl = session.klDivergence(scalars.normalization());
                progress.report(new TsneProgress.Event("optimize", i + 1, schedule.iterations(), kl,
                        scalars.gradientNorm(), clock.getAsDouble()));
                if (kl < bestError) {
                    bestError = kl;
                    bestIteration = i;
                } else if (i - bestIteration > phase.withoutProgress) {
                    return new PhaseResult(i + 1, true);
                }
                if (scalars.gradientNorm() <= schedule.minGradNorm()) {
                    return new PhaseResult(i + 1, true);
                }
            }
        }
        return new PhaseResult(phase.to, false);
    }
}
