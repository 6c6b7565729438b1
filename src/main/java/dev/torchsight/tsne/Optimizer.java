package dev.torchsight.tsne;

import java.util.function.DoubleSupplier;

/**
 * Runs the schedule over a session. Java drives the phases, progress and stopping rules; the session
 * does every per-point loop (gradient, gains, momentum, KL) natively, on the CPU or on a GPU, and only
 * check iterations read anything back.
 */
final class Optimizer {
    /** Where the optimisation ended; {@code stoppedByCallback} when the callback asked to stop. */
    record Outcome(int iterations, double lastNormalization, boolean stoppedByCallback) { }

    private final Schedule schedule;

    Optimizer(Schedule schedule) {
        this.schedule = schedule;
    }

    /**
     * Optimises the session's embedding in place.
     *
     * @param progress receives a KL report every {@code checkEvery} iterations
     * @param callback may stop the run at each check
     * @param clock seconds since the fit started, for progress reports
     */
    Outcome run(TsneSession session, TsneProgress progress, TsneCallback callback, DoubleSupplier clock) {
        int from = 0;
        int total = schedule.iterations();
        for (int index = 0; index < schedule.phases().size(); index++) {
            Phase phase = schedule.phases().get(index);
            int withoutProgress = index == 0 ? phase.iterations() : schedule.iterationsWithoutProgress();
            PhaseResult result = runPhase(phase, from, withoutProgress, total, session, progress, callback, clock);
            if (result.stop != Stop.NONE) {
                return new Outcome(result.iterations, session.scalars().normalization(), result.stop == Stop.CALLBACK);
            }
            from += phase.iterations();
        }
        return new Outcome(total, session.scalars().normalization(), false);
    }

    private enum Stop { NONE, CONVERGED, CALLBACK }

    private record PhaseResult(int iterations, Stop stop) { }

    private PhaseResult runPhase(Phase phase, int from, int withoutProgress, int total, TsneSession session,
                                 TsneProgress progress, TsneCallback callback, DoubleSupplier clock) {
        // Each phase starts with fresh momentum and gains, as scikit-learn's _gradient_descent does.
        session.resetOptimizer();
        double bestError = Double.MAX_VALUE;
        int bestIteration = from;
        int to = from + phase.iterations();
        for (int i = from; i < to; i++) {
            session.step(phase.exaggeration(), phase.momentum(), schedule.learningRate(), schedule.minGain());
            if ((i + 1) % schedule.checkEvery() == 0 || i + 1 == total) {
                TsneSession.Scalars scalars = session.scalars();
                double kl = session.klDivergence(scalars.normalization());
                double seconds = clock.getAsDouble();
                progress.report(new TsneProgress.Event("optimize", i + 1, total, kl, scalars.gradientNorm(), seconds));
                if (!callback.proceed(new TsneCallback.Check(i + 1, total, kl, scalars.gradientNorm(), seconds,
                        session::embedding))) {
                    return new PhaseResult(i + 1, Stop.CALLBACK);
                }
                if (kl < bestError) {
                    bestError = kl;
                    bestIteration = i;
                } else if (i - bestIteration > withoutProgress) {
                    return new PhaseResult(i + 1, Stop.CONVERGED);
                }
                if (scalars.gradientNorm() <= schedule.minGradNorm()) {
                    return new PhaseResult(i + 1, Stop.CONVERGED);
                }
            }
        }
        return new PhaseResult(to, Stop.NONE);
    }
}
