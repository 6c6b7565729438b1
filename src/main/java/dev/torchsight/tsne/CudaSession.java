package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.internal.TorchsightNative;
import dev.torchsight.core.internal.TorchsightNative.TsneCudaSession;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;

/**
 * The optimisation on a GPU: a native session keeps P, the embedding, momentum, gains and forces in device
 * memory for the whole run. A step queues kernels and returns; only {@link #scalars()}, the KL and the
 * final embedding copy anything back.
 */
final class CudaSession implements TsneSession {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private static final int ERROR_CAPACITY = 512;
    private final TsneCudaSession session;
    private final int n;
    private final String description;
    private final DoublePointer scalars = new DoublePointer(3);

    private CudaSession(TsneCudaSession session, int n, String description) {
        this.session = session;
        this.n = n;
        this.description = description;
    }

    /**
     * Why the CUDA backend cannot run here, or null when it can: kernels built into this library and at
     * least one usable GPU.
     */
    static String unusableReason() {
        if (!NativeLibrary.isAvailable()) {
            return "torchsight's native library is not loaded";
        }
        if (!NativeLibrary.cudaKernelsBuilt()) {
            return "this build has no CUDA kernels (nvcc was not on PATH when libtorchsight was built; see README 'GPU')";
        }
        if (NativeLibrary.cudaDeviceCount() == 0) {
            return "no usable CUDA GPU (no NVIDIA driver or device)";
        }
        return null;
    }

    /**
     * Copies P and the initial embedding to GPU 0.
     *
     * @param repulsion {@link TorchsightNative#TSNE_CUDA_AUTO}, {@code TSNE_CUDA_EXACT_TILES} or {@code TSNE_CUDA_TREE}
     * @throws TorchsightException with the device's reason (e.g. not enough GPU memory)
     */
    static CudaSession open(SparseAffinities p, double[] initial, int repulsion, double theta) {
        String reason = unusableReason();
        if (reason != null) {
            throw new TorchsightException(TorchsightException.Kind.DEVICE, reason, "CUDA t-SNE is not available: " + reason);
        }
        if (initial.length != 2L * p.n) {
            throw new IllegalArgumentException("initial embedding has " + initial.length + " values for " + p.n + " points");
        }
        try (BytePointer error = new BytePointer(ERROR_CAPACITY); DoublePointer y = new DoublePointer(initial)) {
            TsneCudaSession session = TorchsightNative.tsne_cuda_create(0, p.rowPtr, p.cols, p.vals, p.n, y, repulsion,
                    theta, error, ERROR_CAPACITY);
            if (session == null || session.isNull()) {
                throw new TorchsightException(TorchsightException.Kind.DEVICE, null, "CUDA t-SNE could not start: " + error.getString());
            }
            int used = TorchsightNative.tsne_cuda_repulsion(session);
            String algorithm = used == TorchsightNative.TSNE_CUDA_TREE ? "Barnes-Hut tree" : "exact tiles";
            String gpu = NativeLibrary.cudaDeviceName(0);
            return new CudaSession(session, p.n, "CUDA, " + (gpu == null ? "GPU 0" : gpu) + ", " + algorithm);
        }
    }

    @Override
    public void resetOptimizer() {
        check(TorchsightNative.tsne_cuda_reset_optimizer(session));
    }

    @Override
    public void step(double exaggeration, double momentum, double learningRate, double minGain) {
        check(TorchsightNative.tsne_cuda_step(session, exaggeration, momentum, learningRate, minGain));
    }

    @Override
    public Scalars scalars() {
        check(TorchsightNative.tsne_cuda_scalars(session, scalars));
        return new Scalars(scalars.get(0), scalars.get(1));
    }

    @Override
    public double klDivergence(double z) {
        try (DoublePointer out = new DoublePointer(1)) {
            check(TorchsightNative.tsne_cuda_kl_divergence(session, z, out));
            return out.get();
        }
    }

    @Override
    public double exactNormalization() {
        try (DoublePointer out = new DoublePointer(1)) {
            check(TorchsightNative.tsne_cuda_exact_normalization(session, out));
            return out.get();
        }
    }

    @Override
    public double[] embedding() {
        try (DoublePointer y = new DoublePointer(2L * n)) {
            check(TorchsightNative.tsne_cuda_embedding(session, y));
            double[] out = new double[2 * n];
            y.get(out);
            return out;
        }
    }

    /** The gradient at the current embedding (n x 2), computed on the device; changes nothing. */
    double[] gradient(double exaggeration) {
        try (DoublePointer grad = new DoublePointer(2L * n); DoublePointer z = new DoublePointer(1)) {
            check(TorchsightNative.tsne_cuda_gradient(session, exaggeration, grad, z));
            double[] out = new double[2 * n];
            grad.get(out);
            return out;
        }
    }

    @Override
    public String description() {
        return description;
    }

    /** A CUDA call failed after the session started (the message names the call and the CUDA error). */
    static final class DeviceFailure extends TorchsightException {
        DeviceFailure(String message) {
            super(message);
        }
    }

    private void check(int status) {
        if (status != 0) {
            throw new DeviceFailure("CUDA t-SNE failed: " + TorchsightNative.tsne_cuda_last_error(session).getString());
        }
    }

    @Override
    public void close() {
        TorchsightNative.tsne_cuda_destroy(session);
        scalars.close();
    }
}
