package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.Threads;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.AtomicFiles;
import dev.torchsight.io.FloatMatrix;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The result of a t-SNE run: N points in 2-D or 3-D and how they were obtained. When the run kept its
 * reference ({@link Tsne.Builder#optTransformable}), new points can be placed into the map
 * ({@link #transform}) and the map saved for later ({@link #save}, {@link #load}). Holds no native memory.
 */
public final class Embedding {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private final double[] coordinates;
    private final int dimensions;
    private final double klDivergence;
    private final int iterations;
    private final TsneMethod method;
    private final double perplexity;
    private final double elapsedSeconds;
    private final Timings timings;
    private final String backend;
    private final boolean stoppedByCallback;
    private final MapReference reference;

    /** Seconds spent in each stage. */
    public record Timings(double pca, double neighbors, double affinities, double optimize) { }

    Embedding(double[] coordinates, int dimensions, double klDivergence, int iterations, TsneMethod method,
              double perplexity, double elapsedSeconds, Timings timings, String backend, boolean stoppedByCallback,
              MapReference reference) {
        this.coordinates = coordinates;
        this.dimensions = dimensions;
        this.klDivergence = klDivergence;
        this.iterations = iterations;
        this.method = method;
        this.perplexity = perplexity;
        this.elapsedSeconds = elapsedSeconds;
        this.timings = timings;
        this.backend = backend;
        this.stoppedByCallback = stoppedByCallback;
        this.reference = reference;
    }

    /** Number of points. */
    public int size() {
        return coordinates.length / dimensions;
    }

    /** Coordinates per point: 2 or 3. */
    public int dimensions() {
        return dimensions;
    }

    /** First coordinate of point i. */
    public double x(int i) {
        return coordinates[dimensions * i];
    }

    /** Second coordinate of point i. */
    public double y(int i) {
        return coordinates[dimensions * i + 1];
    }

    /** Third coordinate of point i (3-D maps only). */
    public double z(int i) {
        if (dimensions < 3) {
            throw new IllegalStateException("a 2-D embedding has no z coordinate");
        }
        return coordinates[dimensions * i + 2];
    }

    /** All coordinates as a copy, row-major (x0, y0[, z0], x1, ...). */
    public double[] coordinates() {
        return coordinates.clone();
    }

    /**
     * KL(P || Q) of the final embedding over the un-exaggerated P, with Q normalised exactly
     * (all pairs) up to {@link Tsne#EXACT_KL_MAX_POINTS} points and by the method's estimate above.
     */
    public double klDivergence() {
        return klDivergence;
    }

    /** Optimisation iterations run (fewer than requested when the gradient vanished or a callback stopped it). */
    public int iterations() {
        return iterations;
    }

    /** True when a {@link TsneCallback} ended the run; the coordinates are where it stopped. */
    public boolean stoppedByCallback() {
        return stoppedByCallback;
    }

    /** The gradient method actually used. */
    public TsneMethod method() {
        return method;
    }

    /** The perplexity the affinities were calibrated to (the largest one for multiscale affinities). */
    public double perplexity() {
        return perplexity;
    }

    /** Wall time of the whole fit in seconds. */
    public double elapsedSeconds() {
        return elapsedSeconds;
    }

    /** Wall time per stage. */
    public Timings timings() {
        return timings;
    }

    /** What ran the optimisation, e.g. "CPU, 8 threads" or "CUDA, NVIDIA H100 ..., exact tiles". */
    public String backend() {
        return backend;
    }

    /** True when {@link #transform} and {@link #save} can be used. */
    public boolean isTransformable() {
        return reference != null;
    }

    /** Columns a row given to {@link #transform} must have. */
    public int inputDimensions() {
        return requireReference().inputDims();
    }

    /**
     * Places new rows (same columns as the fitted data) into this fixed map with openTSNE's defaults:
     * perplexity 5, 250 iterations, learning rate 0.1, momentum 0.8. The result holds the new points
     * only (m of them, same dimensions); this map is unchanged.
     */
    public Embedding transform(FloatMatrix rows) {
        return transform(rows, 5, 250);
    }

    /** As {@link #transform(FloatMatrix)} with the perplexity of the new points' affinities and the iterations. */
    public Embedding transform(FloatMatrix rows, double perplexity, int iterations) {
        MapReference ref = requireReference();
        if (rows.cols() != ref.inputDims()) {
            throw new TorchsightException(Kind.INPUT, rows.cols(), "new rows have " + rows.cols()
                    + " columns but the map was fitted on " + ref.inputDims() + "; give rows of the same kind");
        }
        if (rows.rows() < 1) {
            throw new TorchsightException(Kind.INPUT, rows.rows(), "no rows to transform");
        }
        if (!(perplexity > 0) || perplexity > Affinities.largestPerplexity(ref.n()) || iterations < 1) {
            throw new TorchsightException(Kind.PERPLEXITY, perplexity, "transform needs a perplexity in (0, "
                    + Affinities.fmt(Math.floor(Affinities.largestPerplexity(ref.n()))) + "] and at least 1 iteration");
        }
        rows.requireFinite("new rows");
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensor.create(rows.values(), rows.rows(), rows.cols());
            long start = System.nanoTime();
            double[] placed = MapTransform.place(ref, x, new MapTransform.Options(perplexity, iterations, 0.1, 0.8,
                    Threads.current()));
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Embedding(placed, ref.dims(), Double.NaN, iterations, null, perplexity, seconds,
                    new Timings(0, 0, 0, seconds), "placed into a fixed map of " + ref.n() + " points", false, null);
        }
    }

    /** Writes the map and what {@link #transform} needs to one file (written whole or not at all). */
    public void save(Path file) {
        try (AtomicFiles.Transaction files = new AtomicFiles.Transaction()) {
            save(file, files);
            files.commit();
        }
    }

    /** As {@link #save(Path)}, as part of {@code files} (it appears on commit). */
    public void save(Path file, AtomicFiles.Transaction files) {
        requireReference().save(file, files);
    }

    /** Reads a map written by {@link #save}; it can {@link #transform} new rows. */
    public static Embedding load(Path file) {
        MapReference ref = MapReference.load(file);
        return new Embedding(ref.coordinates(), ref.dims(), Double.NaN, 0, null, ref.perplexity(), 0,
                new Timings(0, 0, 0, 0), "loaded from " + file.getFileName(), false, ref);
    }

    private MapReference requireReference() {
        if (reference == null) {
            throw new TorchsightException(Kind.GENERAL, null, "this embedding kept no reference data; fit with "
                    + "Tsne.builder().optTransformable(true) (CLI: --save-map) to transform new points");
        }
        return reference;
    }
}
