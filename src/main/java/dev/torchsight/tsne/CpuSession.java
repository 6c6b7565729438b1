package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/** The optimisation on the CPU: a {@link CpuGradientBackend} and the update over native buffers it owns. */
final class CpuSession implements TsneSession {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final CpuGradientBackend gradient;
    private final int threads;
    private final long len;
    private final DoublePointer y;
    private final DoublePointer update;
    private final DoublePointer gains;
    private final DoublePointer grad;
    private Scalars last = new Scalars(0, 0);

    CpuSession(SparseAffinities p, CpuRepulsion repulsion, KernelShape kernel, int threads, double[] initial) {
        this.gradient = new CpuGradientBackend(p, repulsion, kernel, threads);
        this.threads = threads;
        this.len = initial.length;
        this.y = new DoublePointer(initial);
        this.update = new DoublePointer(len);
        this.gains = new DoublePointer(len);
        this.grad = new DoublePointer(len);
    }

    @Override
    public void resetOptimizer() {
        update.fill(0);
        double[] ones = new double[(int) len];
        java.util.Arrays.fill(ones, 1.0);
        gains.put(ones);
    }

    @Override
    public void step(double exaggeration, double momentum, double learningRate, double minGain) {
        double z = gradient.gradient(y, exaggeration, grad);
        double norm = TorchsightNative.tsne_update(len, y, update, gains, grad, momentum, learningRate, minGain,
                threads);
        last = new Scalars(z, norm);
    }

    @Override
    public Scalars scalars() {
        return last;
    }

    @Override
    public double klDivergence(double z) {
        return gradient.klDivergence(y, z);
    }

    @Override
    public double exactNormalization() {
        return gradient.exactNormalization(y);
    }

    @Override
    public double[] embedding() {
        double[] out = new double[(int) len];
        y.get(out);
        return out;
    }

    @Override
    public String description() {
        return "CPU, " + threads + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public void close() {
        gradient.close();
        y.close();
        update.close();
        gains.close();
        grad.close();
    }
}
