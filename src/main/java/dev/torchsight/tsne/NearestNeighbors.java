package dev.torchsight.tsne;

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
 * Exact k nearest neighbours (squared Euclidean) by blocked matrix products in libtorch:
 * |a-b|^2 = |a|^2 + |b|^2 - 2 a.b per block of rows, then top-k. The chosen neighbours' distances are
 * recomputed directly in float64 so the affinities do not inherit the expansion's cancellation error.
 */
final class NearestNeighbors implements AutoCloseable {
    /** Entries of one block's distance matrix: bounds the temporary memory to ~128 MB. */
    private static final long BLOCK_ENTRIES = 32L << 20;

    final int n;
    final int k;
    /** n*k neighbour indices, row-major. */
    final LongPointer indices;
    /** n*k squared distances to those neighbours. */
    final DoublePointer distancesSq;

    private NearestNeighbors(int n, int k) {
        this.n = n;
        this.k = k;
        this.indices = new LongPointer((long) n * k);
        this.distancesSq = new DoublePointer((long) n * k);
    }

    /** Finds the k nearest other rows of x (N x D float32) for every row. */
    static NearestNeighbors search(Tensor x, int k) {
        int n = (int) x.size(0);
        NearestNeighbors result = new NearestNeighbors(n, k);
        long block = Math.max(1, Math.min(n, BLOCK_ENTRIES / Math.max(1, n)));
        try (PointerScope scope = new PointerScope()) {
            Tensor xf = x.contiguous();
            Tensor xd = xf.to(torch.ScalarType.Double);
            Tensor norms = xf.square().sum(new long[] {1}, false, new ScalarTypeOptional());
            Tensor xt = xf.t();
            for (long start = 0; start < n; start += block) {
                try (PointerScope inner = new PointerScope()) {
                    long rows = Math.min(block, n - start);
                    Tensor dist = xf.narrow(0, start, rows).mm(xt).mul(new Scalar(-2.0))
                            .add(norms.narrow(0, start, rows).unsqueeze(1)).add(norms.unsqueeze(0));
                    dist.narrow(1, start, rows).fill_diagonal_(new Scalar(Double.POSITIVE_INFINITY));
                    T_TensorTensor_T top = dist.topk(k, 1, false, true);
                    Tensor idx = top.get1().contiguous();
                    Tensor neighbours = xd.index_select(0, idx.view(-1)).view(rows, k, -1);
                    Tensor exact = neighbours.sub(xd.narrow(0, start, rows).unsqueeze(1)).square()
                            .sum(new long[] {2}, false, new ScalarTypeOptional()).contiguous();
                    Pointer.memcpy(result.indices.getPointer(start * k), idx.data_ptr_long(), rows * k * 8);
                    Pointer.memcpy(result.distancesSq.getPointer(start * k), exact.data_ptr_double(), rows * k * 8);
                }
            }
        }
        return result;
    }

    @Override
    public void close() {
        indices.close();
        distancesSq.close();
    }
}
