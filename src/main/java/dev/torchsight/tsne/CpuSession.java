package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;

/**
 * The optimisation on the CPU: a {@link CpuGradientBackend} and the update over native buffers it owns.
 * Large fits run in a {@link LocalityOrder} (P and the embedding relabelled once); {@link #embedding}
 * always answers in the caller's order.
 */
final class CpuSession implements TsneSession {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final CpuGradientBackend gradient;
    private final int threads;
    private final int dims;
    private final long len;
    /** The order the optimisation runs in, or null for the caller's; with it the session owns {@link #ordered}. */
    private final LocalityOrder order;
    private final SparseAffinities ordered;
    private final DoublePointer y;
    private final DoublePointer update;
    private final DoublePointer gains;
    private final DoublePointer grad;
    private Scalars last = new Scalars(0, 0);

    CpuSession(SparseAffinities p, CpuRepulsion repulsion, KernelShape kernel, int threads, double[] initial) {
        this(p, repulsion, kernel, threads, initial, p.n >= LocalityOrder.MIN_POINTS);
    }

    /** As above, with the locality reordering chosen by the caller (tests compare both). */
    CpuSession(SparseAffinities p, CpuRepulsion repulsion, KernelShape kernel, int threads, double[] initial,
               boolean reorder) {
        this.order = reorder ? LocalityOrder.of(p) : null;
        this.ordered = reorder ? order.permute(p, threads) : null;
        this.dims = kernel.dimensions();
        this.gradient = new CpuGradientBackend(reorder ? ordered : p, repulsion, kernel, threads);
        this.threads = threads;
        this.len = initial.length;
        this.y = new DoublePointer(reorder ? order.fromCaller(initial, dims) : initial);
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
        return order == null ? out : order.toCaller(out, dims);
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
        if (ordered != null) {
            ordered.close();
        }
    }
}
