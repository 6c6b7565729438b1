package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Device;
import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.TorchsightNative;
import dev.torchsight.io.FloatMatrix;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * t-SNE: N high-dimensional vectors to a 2-D map. Optional PCA (libtorch), exact kNN (libtorch),
 * perplexity calibration and symmetric sparse P (native), then scikit-learn's optimisation schedule
 * over a native gradient backend: exact or Barnes-Hut on the CPU, or a device-resident CUDA session
 * ({@link Builder#optDevice}).
 *
 * <pre>{@code
 * Embedding e = Tsne.builder().optPerplexity(30).optSeed(1).build().fit(matrix, TsneProgress.NONE);
 * }</pre>
 *
 * <p>The same input, seed and thread count give the same embedding, bit for bit.
 */
public final class Tsne {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tsne.class);
    /** Up to this many points the final KL divergence uses the exact (all-pairs) normalisation. */
    public static final int EXACT_KL_MAX_POINTS = 20_000;
    /** Bytes per N^2 entry that the exact method's all-pairs affinities need at their peak. */
    static final long EXACT_BYTES_PER_PAIR = 64;

    private final double perplexity;
    private final int iterations;
    private final TsneMethod method;
    private final double theta;
    private final long seed;
    private final int threads;
    private final TsneInit init;
    private final int pcaDimensions;
    private final double learningRate;
    private final double earlyExaggeration;
    private final int exaggerationIterations;
    private final double earlyMomentum;
    private final double lateMomentum;
    private final double minGain;
    private final double minGradNorm;
    private final long memoryLimitBytes;
    private final Device device;

    private Tsne(Builder b) {
        this.perplexity = b.perplexity;
        this.iterations = b.iterations;
        this.method = b.method;
        this.theta = b.theta;
        this.seed = b.seed;
        this.threads = b.threads;
        this.init = b.init;
        this.pcaDimensions = b.pcaDimensions;
        this.learningRate = b.learningRate;
        this.earlyExaggeration = b.earlyExaggeration;
        this.exaggerationIterations = b.exaggerationIterations;
        this.earlyMomentum = b.earlyMomentum;
        this.lateMomentum = b.lateMomentum;
        this.minGain = b.minGain;
        this.minGradNorm = b.minGradNorm;
        this.memoryLimitBytes = b.memoryLimitBytes;
        this.device = b.device;
    }

    /** A builder with scikit-learn's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Embeds the rows of a float matrix. */
    public Embedding fit(FloatMatrix data, TsneProgress progress) {
        data.requireFinite("input");
        validateShape(data.rows(), data.cols());
        try (PointerScope scope = new PointerScope()) {
            return fitTensor(Tensor.create(data.values(), data.rows(), data.cols()), progress);
        }
    }

    /** Embeds the rows of a 2-D libtorch tensor (any floating type; copied to float32 on the CPU). */
    public Embedding fit(Tensor data, TsneProgress progress) {
        if (data.dim() != 2) {
            throw new TorchsightException(Kind.INPUT, data.dim(), "t-SNE input must be 2-D (samples x features), got "
                    + data.dim() + " dimensions; flatten each sample first");
        }
        validateShape(data.size(0), data.size(1));
        try (PointerScope scope = new PointerScope()) {
            Tensor x = data.to(torch.ScalarType.Float).contiguous();
            Tensor badRows = x.isfinite().logical_not().any(1);
            if (badRows.any().item_bool()) {
                long row = badRows.to(torch.ScalarType.Int).argmax().item_long();
                throw new TorchsightException(Kind.INPUT, row, "input: row " + row
                        + " (0-based) contains NaN or Inf; remove or impute non-finite values before running t-SNE");
            }
            return fitTensor(x, progress);
        }
    }

    private void validateShape(long rows, long cols) {
        if (cols < 1) {
            throw new TorchsightException(Kind.INPUT, cols, "input has no columns; each row needs at least one value");
        }
        double largest = largestPerplexity(rows);
        if (largest < 1) {
            throw new TorchsightException(Kind.INPUT, rows, "t-SNE needs at least 5 rows, got " + rows);
        }
        if (perplexity > largest) {
            throw new TorchsightException(Kind.PERPLEXITY, perplexity, String.format(Locale.ROOT,
                    "perplexity %s is too large for %d rows (it needs 3*perplexity+2 rows); "
                            + "use a perplexity of %s or less, or give more rows",
                    fmt(perplexity), rows, fmt(Math.floor(largest * 100) / 100)));
        }
        TsneMethod resolved = method.resolve((int) Math.min(rows, Integer.MAX_VALUE));
        if (resolved == TsneMethod.EXACT) {
            long needed = rows * rows * EXACT_BYTES_PER_PAIR;
            if (needed > memoryLimitBytes) {
                throw new TorchsightException(Kind.METHOD, TsneMethod.EXACT, String.format(Locale.ROOT,
                        "the exact method on %d rows needs about %.1f GiB for all-pairs affinities but %.1f GiB "
                                + "is available; use the Barnes-Hut method (O(N log N), sparse affinities)",
                        rows, needed / 1073741824.0, memoryLimitBytes / 1073741824.0));
            }
        }
        if (rows > Integer.MAX_VALUE / 2) {
            throw new TorchsightException(Kind.INPUT, rows, "t-SNE supports up to " + Integer.MAX_VALUE / 2
                    + " rows, got " + rows);
        }
    }

    /**
     * Why {@code optDevice(Device.CUDA)} would run on the CPU here, or null when the CUDA kernels were
     * built and a GPU is usable.
     */
    public static String cudaUnavailableReason() {
        return CudaSession.unusableReason();
    }

    /** The largest perplexity usable with n rows: 3*perplexity + 1 neighbours must exist besides the row. */
    public static double largestPerplexity(long n) {
        return (n - 2) / 3.0;
    }

    private Embedding fitTensor(Tensor x, TsneProgress progress) {
        NativeLibrary.ensureLoaded();
        // torchsight's native stages take their thread count per call; libtorch's (PCA, kNN) keep the process's.
        int nThreads = threads > 0 ? threads : Threads.current();
        long start = System.nanoTime();
        DoubleSupplier clock = () -> (System.nanoTime() - start) / 1e9;
        int n = (int) x.size(0);
        TsneMethod resolved = method.resolve(n);

        progress.report(stageEvent("pca", clock));
        // PCA to at most N components: with fewer rows than pcaDimensions the rank is below N anyway.
        int dims = (int) Math.min(pcaDimensions, n);
        boolean reduced = pcaDimensions > 0 && x.size(1) > dims;
        Tensor features = reduced ? Pca.project(x, dims) : x;
        double tPca = clock.getAsDouble();

        progress.report(stageEvent("neighbors", clock));
        int k = resolved == TsneMethod.EXACT ? n - 1 : (int) Math.min(n - 1, (long) Math.floor(3 * perplexity) + 1);
        try (NearestNeighbors knn = NearestNeighbors.search(features, k, nThreads)) {
            double tKnn = clock.getAsDouble();
            progress.report(stageEvent("affinities", clock));
            try (SparseAffinities p = SparseAffinities.fromNeighbors(knn, perplexity, nThreads)) {
                if (p.unconvergedRows > 0) {
                    LOG.warn("{} of {} rows did not reach perplexity {} (their neighbours are equidistant, "
                            + "e.g. duplicate rows); they keep a uniform distribution", p.unconvergedRows, n, perplexity);
                }
                knn.close();  // the neighbour lists are folded into P: free them before optimising
                double tP = clock.getAsDouble();
                double lr = Double.isNaN(learningRate) ? Schedule.autoLearningRate(n, earlyExaggeration) : learningRate;
                Schedule schedule = new Schedule(iterations, earlyExaggeration, exaggerationIterations,
                        earlyMomentum, lateMomentum, lr, minGain, minGradNorm, 50, 300);
                double[] initial = initialEmbedding(features, reduced, n);
                Optimized result;
                try (TsneSession session = openSession(p, resolved, initial, nThreads)) {
                    result = optimize(session, schedule, n, progress, clock);
                } catch (CudaSession.DeviceFailure e) {
                    // A GPU fault mid-run (driver error, lost device) leaves the CPU as good as ever: start over there.
                    LOG.warn("{}; running the optimisation again on the CPU with {} threads", e.getMessage(), nThreads);
                    try (TsneSession session = new CpuSession(p, resolved, theta, nThreads, initial)) {
                        result = optimize(session, schedule, n, progress, clock);
                    }
                }
                double total = clock.getAsDouble();
                progress.report(new TsneProgress.Event("done", result.iterations, iterations, result.kl, Double.NaN,
                        total));
                return new Embedding(result.coordinates, result.kl, result.iterations, resolved, perplexity, total,
                        new Embedding.Timings(tPca, tKnn - tPca, tP - tKnn, total - tP), result.backend);
            }
        }
    }

    private record Optimized(double[] coordinates, double kl, int iterations, String backend) { }

    /** Runs the schedule on a session; the final KL uses the exact Z up to {@link #EXACT_KL_MAX_POINTS} points. */
    private static Optimized optimize(TsneSession session, Schedule schedule, int n, TsneProgress progress,
                                      DoubleSupplier clock) {
        Optimizer.Outcome outcome = new Optimizer(schedule).run(session, progress, clock);
        double z = n <= EXACT_KL_MAX_POINTS ? session.exactNormalization() : outcome.lastNormalization();
        double kl = session.klDivergence(z);
        return new Optimized(session.embedding(), kl, outcome.iterations(), session.description());
    }

    /**
     * The CUDA session when a GPU was asked for and can run it, else the CPU session. A GPU that was asked
     * for but cannot be used is reported once, with the reason, and the run goes on on the CPU.
     */
    private TsneSession openSession(SparseAffinities p, TsneMethod resolved, double[] initial, int nThreads) {
        if (device == Device.CUDA) {
            try {
                // Sparse P (Barnes-Hut) gets exact tiles up to 100k points and the tree above; the exact
                // method's dense P always gets exact tiles.
                int repulsion = resolved == TsneMethod.EXACT ? TorchsightNative.TSNE_CUDA_EXACT_TILES
                        : TorchsightNative.TSNE_CUDA_AUTO;
                return CudaSession.open(p, initial, repulsion, theta);
            } catch (TorchsightException e) {
                LOG.warn("{}; running on the CPU with {} threads", e.getMessage(), nThreads);
            }
        }
        return new CpuSession(p, resolved, theta, nThreads, initial);
    }

    private TsneProgress.Event stageEvent(String stage, DoubleSupplier clock) {
        return new TsneProgress.Event(stage, 0, iterations, Double.NaN, Double.NaN, clock.getAsDouble());
    }

    /** PCA initialisation (first coordinate std 1e-4) or seeded Gaussian noise (std 1e-4). */
    private double[] initialEmbedding(Tensor features, boolean reducedByPca, int n) {
        if (init == TsneInit.PCA && features.size(1) >= 2) {
            Tensor pcs = reducedByPca ? features.narrow(1, 0, 2) : Pca.project(features, 2);
            Tensor y = pcs.to(torch.ScalarType.Double).contiguous();
            double std = y.select(1, 0).std().item_double();
            if (std > 0 && Double.isFinite(std)) {
                Tensor scaled = y.mul(new Scalar(1e-4 / std)).contiguous();
                double[] out = new double[2 * n];
                scaled.data_ptr_double().get(out);
                return out;
            }
            // All rows identical along the principal axes: PCA gives no direction, fall back to noise.
            LOG.warn("PCA initialisation has no spread (identical rows?); using random initialisation with seed {}", seed);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[2 * n];
        for (int i = 0; i < out.length; i++) {
            out[i] = 1e-4 * gaussian(random);
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: reproducible across JVMs (unlike Random.nextGaussian's internal state sharing).
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Options; every one has scikit-learn's default. */
    public static final class Builder {
        private double perplexity = 30;
        private int iterations = 1000;
        private TsneMethod method = TsneMethod.AUTO;
        private double theta = 0.5;
        private long seed = 0;
        private int threads = 0;
        private TsneInit init = TsneInit.PCA;
        private int pcaDimensions = 50;
        private double learningRate = Double.NaN;
        private double earlyExaggeration = 12;
        private int exaggerationIterations = 250;
        private double earlyMomentum = 0.5;
        private double lateMomentum = 0.8;
        private double minGain = 0.01;
        private double minGradNorm = 1e-7;
        private long memoryLimitBytes = Pointer.maxPhysicalBytes() > 0
                ? Math.min(Pointer.maxPhysicalBytes(), Pointer.availablePhysicalBytes())
                : Pointer.availablePhysicalBytes();
        private Device device = Device.CPU;

        private Builder() {}

        /** Effective number of neighbours (default 30); at most (N-2)/3. */
        public Builder optPerplexity(double perplexity) {
            require(perplexity > 0 && Double.isFinite(perplexity), Kind.PERPLEXITY, perplexity,
                    "perplexity must be positive and finite, got " + perplexity);
            this.perplexity = perplexity;
            return this;
        }

        /** Total optimisation iterations including early exaggeration (default 1000). */
        public Builder optIterations(int iterations) {
            require(iterations >= 1, Kind.ITERATIONS, iterations, "iterations must be at least 1, got " + iterations);
            this.iterations = iterations;
            return this;
        }

        /** Gradient method (default AUTO). */
        public Builder optMethod(TsneMethod method) {
            this.method = java.util.Objects.requireNonNull(method);
            return this;
        }

        /** Barnes-Hut accuracy: a cell is summarised when width / distance < theta (default 0.5; 0 = exact). */
        public Builder optTheta(double theta) {
            require(theta >= 0 && theta < 2, Kind.THETA, theta, "theta must be in [0, 2), got " + theta);
            this.theta = theta;
            return this;
        }

        /** Seed of the random initialisation (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Threads for torchsight's native t-SNE stages: neighbour search, affinities and gradients
         * (default {@link Threads#current()}). libtorch's own thread count (used by PCA) is not changed;
         * set it with {@link Threads#configure}.
         */
        public Builder optThreads(int threads) {
            require(threads >= 1, Kind.THREADS, threads, "thread count must be at least 1, got " + threads);
            this.threads = threads;
            return this;
        }

        /** Initialisation (default PCA). */
        public Builder optInit(TsneInit init) {
            this.init = java.util.Objects.requireNonNull(init);
            return this;
        }

        /** PCA to this many dimensions first when the input has more (default 50; 0 turns PCA off). */
        public Builder optPcaDimensions(int dims) {
            require(dims == 0 || dims >= 2, Kind.OPTIMIZER, dims, "PCA dimensions must be 0 (off) or at least 2, got " + dims);
            this.pcaDimensions = dims;
            return this;
        }

        /** Fixed learning rate (default: 'auto' = max(N / early exaggeration / 4, 50)). */
        public Builder optLearningRate(double learningRate) {
            require(learningRate > 0 && Double.isFinite(learningRate), Kind.OPTIMIZER, learningRate,
                    "learning rate must be positive and finite, got " + learningRate);
            this.learningRate = learningRate;
            return this;
        }

        /** Early exaggeration factor (default 12) and its iterations (default 250). */
        public Builder optEarlyExaggeration(double factor, int forIterations) {
            require(factor >= 1 && Double.isFinite(factor) && forIterations >= 0, Kind.OPTIMIZER, factor,
                    "early exaggeration must be a finite factor >= 1 for >= 0 iterations, got " + factor + " for "
                            + forIterations);
            this.earlyExaggeration = factor;
            this.exaggerationIterations = forIterations;
            return this;
        }

        /** Momentum during (default 0.5) and after (default 0.8) early exaggeration. */
        public Builder optMomentum(double early, double late) {
            require(early >= 0 && early < 1 && late >= 0 && late < 1, Kind.OPTIMIZER, early + "," + late,
                    "momentum must be in [0, 1), got " + early + " and " + late);
            this.earlyMomentum = early;
            this.lateMomentum = late;
            return this;
        }

        /** Smallest gain (default 0.01). */
        public Builder optMinGain(double minGain) {
            require(minGain > 0 && Double.isFinite(minGain), Kind.OPTIMIZER, minGain,
                    "min gain must be positive and finite, got " + minGain);
            this.minGain = minGain;
            return this;
        }

        /** Stop when the gradient norm falls below this (default 1e-7). */
        public Builder optMinGradNorm(double minGradNorm) {
            require(minGradNorm >= 0, Kind.OPTIMIZER, minGradNorm, "min gradient norm must be non-negative, got "
                    + minGradNorm);
            this.minGradNorm = minGradNorm;
            return this;
        }

        /** Memory the exact method may plan for (default: available physical memory). */
        public Builder optMemoryLimitBytes(long bytes) {
            require(bytes > 0, Kind.MEMORY, bytes, "memory limit must be positive, got " + bytes);
            this.memoryLimitBytes = bytes;
            return this;
        }

        /**
         * Where the optimisation runs (default CPU). CUDA uses torchsight's kernels on GPU 0 when they were
         * built and a GPU is usable; otherwise it logs why and runs on the CPU. Neighbours, affinities and
         * PCA stay on the CPU.
         */
        public Builder optDevice(Device device) {
            this.device = java.util.Objects.requireNonNull(device);
            return this;
        }

        /** The configured t-SNE. */
        public Tsne build() {
            return new Tsne(this);
        }

        private static void require(boolean ok, Kind kind, Object value, String message) {
            if (!ok) {
                throw new TorchsightException(kind, value, message);
            }
        }
    }
}
