package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.OwnedMemory;
import dev.torchsight.core.internal.TorchsightNative;
import java.util.Locale;
import java.util.function.LongConsumer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The k nearest other rows of every row, with squared distances: what {@link SparseAffinities} calibrates.
 * Found exactly ({@link ExactNeighborSearch}) or approximately ({@link ApproximateNeighborSearch}); either way
 * the chosen neighbours' distances are then recomputed directly in double precision (native), so the
 * affinities inherit neither the matrix-product expansion's rounding nor the graph search's float scores.
 */
final class NearestNeighbors implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    final int n;
    final int k;
    /** n*k neighbour indices, row-major, nearest first, never the row itself. */
    final LongPointer indices;
    /**
     * n*k squared distances to those neighbours: squared Euclidean, or for {@link Metric#COSINE} the squared
     * distance between unit rows, 2 (1 - cos).
     */
    final DoublePointer distancesSq;

    private NearestNeighbors(int n, int k) {
        this.n = n;
        this.k = k;
        this.indices = OwnedMemory.owned(new LongPointer((long) n * k));
        this.distancesSq = OwnedMemory.owned(new DoublePointer((long) n * k));
    }

    /** Exact Euclidean neighbours of the rows of x (N x D float32), without progress reports. */
    static NearestNeighbors search(Tensor x, int k, int threads) {
        return search(x, k, NeighborMethod.EXACT, Metric.EUCLIDEAN, threads, 0L, done -> { });
    }

    /**
     * Finds the k nearest other rows of every row of {@code features}.
     *
     * @param features n x d, any floating type on the CPU (copied to contiguous float32), finite
     * @param k neighbours per row, 1 <= k < n
     * @param method exact, approximate, or {@link NeighborMethod#AUTO} (by {@link NeighborMethod#CROSSOVER_ROWS};
     *     exact when the native library was built without hnswlib)
     * @param metric the distance; cosine normalises the rows first (no row may be all zeros)
     * @param threads worker threads, at least 1 (the exact method's matrix products use libtorch's own count)
     * @param seed the approximate graph's insertion order; same features, k, method and seed give the same
     *     neighbours on any thread count
     * @param progressDone rows done so far (0..n, non-decreasing), called on the calling thread
     * @throws TorchsightException of kind {@link Kind#INPUT} for a non-2-D, non-finite or too small input, or a
     *     zero row under the cosine metric; of kind {@link Kind#METHOD} for {@link NeighborMethod#APPROX} when the
     *     native library was built without hnswlib
     */
    static NearestNeighbors search(Tensor features, int k, NeighborMethod method, Metric metric, int threads,
                                   long seed, LongConsumer progressDone) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (features.dim() != 2) {
            throw new TorchsightException(Kind.INPUT, features.dim(),
                    "neighbour search needs a 2-D matrix (rows x features), got " + features.dim() + " dimensions");
        }
        long rows = features.size(0);
        long cols = features.size(1);
        if (k < 1 || k >= rows) {
            throw new TorchsightException(Kind.INPUT, rows, String.format(Locale.ROOT,
                    "%d nearest neighbours need more than %d rows, got %d rows", k, k, rows));
        }
        if (cols < 1) {
            throw new TorchsightException(Kind.INPUT, cols, "input has no columns; each row needs at least one value");
        }
        if (!features.is_cpu()) {
            throw new IllegalArgumentException("neighbour search runs on CPU tensors; move the features to the CPU");
        }
        if (rows > Integer.MAX_VALUE) {
            throw new TorchsightException(Kind.INPUT, rows, "neighbour search supports up to "
                    + Integer.MAX_VALUE + " rows, got " + rows);
        }
        int n = (int) rows;
        NearestNeighbors result = new NearestNeighbors(n, k);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = prepared(features, metric);
            NeighborSearch search = ApproximateNeighborSearch.chosen(method, n)
                    ? new ApproximateNeighborSearch(seed) : new ExactNeighborSearch();
            search.search(x, k, threads, progressDone, result.indices);
            TorchsightNative.tsne_neighbor_distances(x.data_ptr_float(), n, (int) cols, result.indices, k,
                    result.distancesSq, threads);
        } catch (RuntimeException | Error e) {
            result.close();
            throw e;
        }
        return result;
    }

    /** Contiguous float32 on the CPU, finite, and for cosine with unit rows (also for placing new rows). */
    static Tensor prepared(Tensor features, Metric metric) {
        Tensor x = features.to(torch.ScalarType.Float).contiguous();
        Tensor badRows = x.isfinite().logical_not().any(1);
        if (badRows.any().item_bool()) {
            long row = badRows.to(torch.ScalarType.Int).argmax().item_long();
            throw new TorchsightException(Kind.INPUT, row, "row " + row
                    + " (0-based) contains NaN or Inf; remove or impute non-finite values first");
        }
        if (metric == Metric.COSINE) {
            Tensor norms = x.square().sum(new long[] {1}, true, new ScalarTypeOptional()).sqrt();
            Tensor zero = norms.eq(new Scalar(0.0)).squeeze(1);
            if (zero.any().item_bool()) {
                long row = zero.to(torch.ScalarType.Int).argmax().item_long();
                throw new TorchsightException(Kind.INPUT, row, "row " + row
                        + " (0-based) is all zeros: its cosine distance to other rows is undefined");
            }
            x = x.div(norms).contiguous();
        }
        return x;
    }

    @Override
    public void close() {
        indices.close();
        distancesSq.close();
    }
}
