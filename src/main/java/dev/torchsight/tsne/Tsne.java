package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Device;
import dev.torchsight.core.NativeLibrary;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.TorchsightNative;
import dev.torchsight.io.FloatMatrix;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * t-SNE: N high-dimensional vectors to a 2-D or 3-D map. The stages are separate choices: PCA
 * (libtorch), nearest neighbours (exact by libtorch or approximate, {@link NeighborMethod}), the
 * {@link Affinities} (perplexity by default), the {@link Initialization} (PCA by default), the schedule
 * of {@link Phase}s (scikit-learn's by default) and the gradient backend, resolved from the
 * {@link TsneMethod} and the device in one place ({@code Backends}): exact, Barnes-Hut or FFT
 * interpolation on the CPU, or a device-resident CUDA session ({@link Builder#optDevice}).
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
    private final Settings settings;

    /** Every option of a run, fixed at {@link Builder#build()}. */
    record Settings(Affinities affinities, TsneMethod method, double theta, long seed, int threads,
                    Initialization initialization, int pcaDimensions, int dimensions, double dof, double learningRate,
                    List<Phase> phases, double earlyExaggeration, int earlyIterations, double exaggeration,
                    double earlyMomentum, double lateMomentum, double minGain, double minGradNorm, int checkEvery,
                    long memoryLimitBytes, Device device, NeighborMethod neighbors, Metric metric,
                    TsneCallback callback, boolean transformable) {
        KernelShape kernel() {
            return new KernelShape(dimensions, dof);
        }

        /** The phases: the caller's, or the standard two from the exaggeration options. */
        List<Phase> schedulePhases(int iterations) {
            return phases != null ? phases : Schedule.standard(iterations, earlyExaggeration, earlyIterations,
                    earlyMomentum, exaggeration, lateMomentum);
        }
    }

    private final int iterations;

    private Tsne(Settings settings, int iterations) {
        this.settings = settings;
        this.iterations = settings.phases() != null ? settings.phases().stream().mapToInt(Phase::iterations).sum()
                : iterations;
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
        if (rows > Integer.MAX_VALUE / 4) {
            throw new TorchsightException(Kind.INPUT, rows, "t-SNE supports up to " + Integer.MAX_VALUE / 4
                    + " rows, got " + rows);
        }
        settings.affinities().validate(rows);
        int n = (int) rows;
        TsneMethod resolved = settings.method().resolve(n, settings.dimensions());
        if (resolved == TsneMethod.FFT && settings.dimensions() != 2) {
            throw new TorchsightException(Kind.METHOD, TsneMethod.FFT, "the FFT method embeds in 2-D only; use "
                    + "barnes-hut (octree) or exact for 3-D maps");
        }
        MemoryPlan plan = MemoryPlan.of(n, (int) Math.min(cols, pcaOutputDims(cols)), settings, resolved);
        plan.requireFits(settings.memoryLimitBytes());
    }

    private long pcaOutputDims(long cols) {
        return settings.pcaDimensions() > 0 ? Math.min(cols, settings.pcaDimensions()) : cols;
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
        return Affinities.largestPerplexity(n);
    }

    private Embedding fitTensor(Tensor x, TsneProgress progress) {
        NativeLibrary.ensureLoaded();
        // torchsight's native stages take their thread count per call; libtorch's (PCA, kNN) keep the process's.
        int nThreads = settings.threads() > 0 ? settings.threads() : Threads.current();
        long start = System.nanoTime();
        DoubleSupplier clock = () -> (System.nanoTime() - start) / 1e9;
        int n = (int) x.size(0);
        KernelShape kernel = settings.kernel();
        GradientBackend cpu = Backends.cpu(settings.method(), n, kernel, settings.theta());
        TsneMethod resolved = cpu.method();

        progress.report(stageEvent("pca", clock, 0, n));
        // PCA to at most N components: with fewer rows than pcaDimensions the rank is below N anyway.
        int dims = (int) Math.min(settings.pcaDimensions(), n);
        boolean reduced = settings.pcaDimensions() > 0 && x.size(1) > dims;
        Tensor features = reduced ? Pca.project(x, dims) : x;
        Pca.Basis basis = reduced && settings.transformable() ? Pca.basis(x, dims) : null;
        double tPca = clock.getAsDouble();

        int k = settings.affinities().neighbors(n, resolved);
        progress.report(stageEvent("neighbors", clock, 0, n));
        try (NearestNeighbors knn = k == 0 ? null : NearestNeighbors.search(features, k, settings.neighbors(),
                settings.metric(), nThreads, settings.seed(),
                done -> progress.report(stageEvent("neighbors", clock, (int) done, n)))) {
            double tKnn = clock.getAsDouble();
            progress.report(stageEvent("affinities", clock, 0, n));
            try (SparseAffinities p = settings.affinities().build(knn, n, nThreads)) {
                if (p.unconvergedRows > 0) {
                    LOG.warn("{} of {} rows did not reach their perplexity (their neighbours are equidistant, "
                            + "e.g. duplicate rows); they keep a uniform distribution", p.unconvergedRows, n);
                }
                if (knn != null) {
                    knn.close();  // the neighbour lists are folded into P: free them before optimising
                }
                double tP = clock.getAsDouble();
                List<Phase> phases = settings.schedulePhases(iterations);
                double firstExaggeration = phases.get(0).exaggeration();
                double lr = Double.isNaN(settings.learningRate()) ? Schedule.autoLearningRate(n, firstExaggeration)
                        : settings.learningRate();
                Schedule schedule = new Schedule(phases, lr, settings.minGain(), settings.minGradNorm(),
                        settings.checkEvery(), 300);
                double[] initial = settings.initialization().initial(features, reduced, kernel.dimensions(),
                        settings.seed());
                Optimized result = optimizeOn(settings.device(), p, initial, kernel, cpu, schedule, n, nThreads,
                        progress, clock);
                double total = clock.getAsDouble();
                progress.report(new TsneProgress.Event("done", result.iterations, schedule.iterations(), result.kl,
                        Double.NaN, total));
                MapReference reference = settings.transformable()
                        ? MapReference.of(features, basis, settings, result.coordinates) : null;
                return new Embedding(result.coordinates, kernel.dimensions(), result.kl, result.iterations,
                        result.method, settings.affinities().transformPerplexity(), total,
                        new Embedding.Timings(tPca, tKnn - tPca, tP - tKnn, total - tP), result.backend,
                        result.stoppedByCallback, reference);
            }
        }
    }

    private record Optimized(double[] coordinates, double kl, int iterations, String backend, TsneMethod method,
                             boolean stoppedByCallback) { }

    /**
     * Runs on the asked device's backend; a GPU that cannot run this kernel or fails mid-run leaves the CPU
     * as good as ever: the run goes (or starts over) there.
     */
    private Optimized optimizeOn(Device device, SparseAffinities p, double[] initial, KernelShape kernel,
                                 GradientBackend cpu, Schedule schedule, int n, int nThreads, TsneProgress progress,
                                 DoubleSupplier clock) {
        if (device == Device.CUDA) {
            GradientBackend gpu = Backends.cuda(settings.method(), n, kernel, settings.theta());
            if (gpu == null) {
                LOG.warn("the CUDA kernels embed in 2-D with dof 1 only; running on the CPU with {} threads", nThreads);
            } else {
                try (TsneSession session = gpu.open(p, initial, kernel, nThreads)) {
                    return optimize(session, gpu.method(), schedule, n, progress, clock);
                } catch (CudaSession.DeviceFailure e) {
                    LOG.warn("{}; running the optimisation again on the CPU with {} threads", e.getMessage(), nThreads);
                } catch (TorchsightException e) {
                    if (e.kind() != Kind.DEVICE) {
                        throw e;
                    }
                    LOG.warn("{}; running on the CPU with {} threads", e.getMessage(), nThreads);
                }
            }
        }
        try (TsneSession session = cpu.open(p, initial, kernel, nThreads)) {
            return optimize(session, cpu.method(), schedule, n, progress, clock);
        } finally {
            if (cpu.method() == TsneMethod.FFT) {
                TorchsightNative.tsne_fft_release_workspaces();  // the grids (~100 MB at 1M points) go with the fit
            }
        }
    }

    /** Runs the schedule on a session; the final KL uses the exact Z up to {@link #EXACT_KL_MAX_POINTS} points. */
    private Optimized optimize(TsneSession session, TsneMethod method, Schedule schedule, int n, TsneProgress progress,
                               DoubleSupplier clock) {
        Optimizer.Outcome outcome = new Optimizer(schedule).run(session, progress, settings.callback(), clock);
        double z = n <= EXACT_KL_MAX_POINTS ? session.exactNormalization() : outcome.lastNormalization();
        double kl = session.klDivergence(z);
        return new Optimized(session.embedding(), kl, outcome.iterations(), session.description(), method,
                outcome.stoppedByCallback());
    }

    private TsneProgress.Event stageEvent(String stage, DoubleSupplier clock, int done, int total) {
        return new TsneProgress.Event(stage, done, stage.equals("neighbors") ? total : iterations, Double.NaN,
                Double.NaN, clock.getAsDouble());
    }

    /** Options; every one has scikit-learn's default unless noted. */
    public static final class Builder {
        private Affinities affinities = Affinities.perplexity(30);
        private int iterations = 1000;
        private TsneMethod method = TsneMethod.AUTO;
        private double theta = 0.5;
        private long seed = 0;
        private int threads = 0;
        private Initialization initialization = Initialization.pca();
        private int pcaDimensions = 50;
        private int dimensions = 2;
        private double dof = 1;
        private double learningRate = Double.NaN;
        private List<Phase> phases;
        private double earlyExaggeration = 12;
        private int earlyIterations = 250;
        private double exaggeration = 1;
        private double earlyMomentum = 0.5;
        private double lateMomentum = 0.8;
        private double minGain = 0.01;
        private double minGradNorm = 1e-7;
        private int checkEvery = 50;
        private long memoryLimitBytes = MemoryPlan.availableBytes();
        private Device device = Device.CPU;
        private NeighborMethod neighbors = NeighborMethod.AUTO;
        private Metric metric = Metric.EUCLIDEAN;
        private TsneCallback callback = TsneCallback.NONE;
        private boolean transformable;

        private Builder() {}

        /** Effective number of neighbours (default 30); at most (N-2)/3. Same as {@code optAffinities(Affinities.perplexity(p))}. */
        public Builder optPerplexity(double perplexity) {
            this.affinities = Affinities.perplexity(perplexity);
            return this;
        }

        /** How P is built (default {@code Affinities.perplexity(30)}). */
        public Builder optAffinities(Affinities affinities) {
            this.affinities = java.util.Objects.requireNonNull(affinities);
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

        /** Seed of the random initialisation and of the approximate neighbour index (default 0). */
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
            this.initialization = init.strategy();
            return this;
        }

        /** Initialisation strategy, e.g. {@code Initialization.given(coordinates)} (default PCA). */
        public Builder optInitialization(Initialization initialization) {
            this.initialization = java.util.Objects.requireNonNull(initialization);
            return this;
        }

        /** PCA to this many dimensions first when the input has more (default 50; 0 turns PCA off). */
        public Builder optPcaDimensions(int dims) {
            require(dims == 0 || dims >= 2, Kind.OPTIMIZER, dims, "PCA dimensions must be 0 (off) or at least 2, got " + dims);
            this.pcaDimensions = dims;
            return this;
        }

        /** Coordinates per point: 2 (default) or 3. */
        public Builder optDimensions(int dimensions) {
            require(dimensions == 2 || dimensions == 3, Kind.OPTIMIZER, dimensions,
                    "t-SNE embeds in 2 or 3 dimensions, got " + dimensions);
            this.dimensions = dimensions;
            return this;
        }

        /**
         * Degrees of freedom of the Student-t kernel (default 1, standard t-SNE). Below 1 the tails are
         * heavier and clusters separate further (Kobak et al. 2019); in (0, 100].
         */
        public Builder optDegreesOfFreedom(double dof) {
            require(dof > 0 && dof <= 100, Kind.OPTIMIZER, dof, "degrees of freedom must be in (0, 100], got " + dof);
            this.dof = dof;
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
            require(factor > 0 && Double.isFinite(factor) && forIterations >= 0, Kind.OPTIMIZER, factor,
                    "early exaggeration must be a positive finite factor for >= 0 iterations, got " + factor + " for "
                            + forIterations);
            this.earlyExaggeration = factor;
            this.earlyIterations = forIterations;
            return this;
        }

        /** Exaggeration of the phase after early exaggeration (default 1; above 1 gives UMAP-like, tighter clusters). */
        public Builder optExaggeration(double factor) {
            require(factor > 0 && Double.isFinite(factor), Kind.OPTIMIZER, factor,
                    "exaggeration must be positive and finite, got " + factor);
            this.exaggeration = factor;
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

        /**
         * A schedule of the caller's own, replacing iterations, early exaggeration, exaggeration and momentum;
         * the auto learning rate then uses the first phase's exaggeration.
         */
        public Builder optSchedule(List<Phase> phases) {
            require(phases != null && !phases.isEmpty(), Kind.OPTIMIZER, phases, "a schedule needs at least one phase");
            this.phases = List.copyOf(phases);
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

        /** Iterations between KL checks, progress reports and callback calls (default 50). */
        public Builder optCheckEvery(int iterations) {
            require(iterations >= 1, Kind.OPTIMIZER, iterations, "check interval must be at least 1, got " + iterations);
            this.checkEvery = iterations;
            return this;
        }

        /** Called at every check; may stop the run and keep the partial embedding. */
        public Builder optCallback(TsneCallback callback) {
            this.callback = java.util.Objects.requireNonNull(callback);
            return this;
        }

        /** Memory the run may plan for (default: available physical memory); checked before any work. */
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

        /** Exact or approximate nearest neighbours (default AUTO: approximate above a measured size). */
        public Builder optNeighbors(NeighborMethod neighbors) {
            this.neighbors = java.util.Objects.requireNonNull(neighbors);
            return this;
        }

        /** Distance between input rows (default Euclidean). */
        public Builder optMetric(Metric metric) {
            this.metric = java.util.Objects.requireNonNull(metric);
            return this;
        }

        /**
         * Keep what {@link Embedding#transform} and {@link Embedding#save} need: the reference rows after PCA
         * and the PCA basis (n x 50 floats more in memory). Default off.
         */
        public Builder optTransformable(boolean keep) {
            this.transformable = keep;
            return this;
        }

        /** The configured t-SNE. */
        public Tsne build() {
            if (method == TsneMethod.FFT && dimensions != 2) {
                throw new TorchsightException(Kind.METHOD, method, "the FFT method embeds in 2-D only; use barnes-hut "
                        + "(octree) or exact for 3-D maps");
            }
            return new Tsne(new Settings(affinities, method, theta, seed, threads, initialization, pcaDimensions,
                    dimensions, dof, learningRate, phases, earlyExaggeration, earlyIterations, exaggeration,
                    earlyMomentum, lateMomentum, minGain, minGradNorm, checkEvery, memoryLimitBytes, device,
                    neighbors, metric, callback, transformable), iterations);
        }

        private static void require(boolean ok, Kind kind, Object value, String message) {
            if (!ok) {
                throw new TorchsightException(kind, value, message);
            }
        }
    }
}
