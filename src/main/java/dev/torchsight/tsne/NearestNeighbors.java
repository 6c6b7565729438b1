package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.OwnedMemory;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Exact k nearest neighbours (squared Euclidean) by blocked matrix products in libtorch. Per block of
 * rows it ranks candidates by |b|^2 - 2 a.b (one fused addmm; |a|^2 is constant along a row and does
 * not change the ranking) and takes the top k; the chosen neighbours' distances are then recomputed
 * directly in double precision (native) so the affinities do not inherit the expansion's rounding.
 */
final class NearestNeighbors implements AutoCloseable {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Rows of the candidate matrix per block: ~1024 x N floats keeps it cache-friendly and bounded. */
    private static final long BLOCK_ENTRIES = 8L << 20;

    final int n;
    final int k;
    /** n*k neighbour indices, row-major. */
    final LongPointer indices;
    /** n*k squared distances to those neighbours. */
    final DoublePointer distancesSq;

    private NearestNeighbors(int n, int k) {
        this.n = n;
        this.k = k;
        this.indices = OwnedMemory.owned(new LongPointer((long) n * k));
        this.distancesSq = OwnedMemory.owned(new DoublePointer((long) n * k));
    }

    /** Placeholder until the ann branch lands. */
    static NearestNeighbors search(Tensor x, int k, NeighborMethod method, Metric metric, int threads, long seed,
                                   java.util.function.LongConsumer done) {
        return search(x, k, threads);
    }

    /** Finds the k nearest other rows of x (N x D float32) for every row. */
    static NearestNeighbors search(Tensor x, int k, int threads) {
        int n = (int) x.size(0);
        NearestNeighbors result = new NearestNeighbors(n, k);
        long block = Math.max(1, Math.min(n, BLOCK_ENTRIES / Math.max(1, n)));
        try (PointerScope scope = new PointerScope()) {
            Tensor xf = x.to(torch.ScalarType.Float).contiguous();
            Tensor sqNorms = xf.square().sum(new long[] {1}, false, new ScalarTypeOptional()).unsqueeze(0);
            Tensor xt = xf.t();
            Scalar one = new Scalar(1.0);
            Scalar minusTwo = new Scalar(-2.0);
            Scalar infinity = new Scalar(Double.POSITIVE_INFINITY);
            for (long start = 0; start < n; start += block) {
                try (PointerScope inner = new PointerScope()) {
                    long rows = Math.min(block, n - start);
                    Tensor rank = torch.addmm(sqNorms, xf.narrow(0, start, rows), xt, one, minusTwo);
                    rank.narrow(1, start, rows).fill_diagonal_(infinity);  // a row is not its own neighbour
                    T_TensorTensor_T top = rank.topk(k, 1, false, true);
                    Pointer.memcpy(result.indices.getPointer(start * k), top.get1().contiguous().data_ptr_long(),
                            rows * k * Long.BYTES);
                }
            }
            TorchsightNative.tsne_neighbor_distances(xf.data_ptr_float(), n, (int) xf.size(1), result.indices, k,
                    result.distancesSq, threads);
        }
        return result;
    }

    @Override
    public void close() {
        indices.close();
        distancesSq.close();
    }
}
