package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import java.util.function.LongConsumer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Exact k nearest neighbours by blocked matrix products in libtorch (O(N^2 D), libtorch's own thread count).
 * Per block of rows it ranks candidates by |b|^2 - 2 a.b (one fused addmm; |a|^2 is constant along a row and
 * does not change the ranking) and takes the top k.
 */
final class ExactNeighborSearch implements NeighborSearch {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Entries of the candidate matrix per block: ~1024 x N floats keeps it cache-friendly and bounded. */
    private static final long BLOCK_ENTRIES = 8L << 20;

    @Override
    public void search(Tensor x, int k, int threads, LongConsumer progress, LongPointer indices) {
        long n = x.size(0);
        long block = Math.max(1, Math.min(n, BLOCK_ENTRIES / Math.max(1, n)));
        try (PointerScope scope = new PointerScope()) {
            Tensor sqNorms = x.square().sum(new long[] {1}, false, new ScalarTypeOptional()).unsqueeze(0);
            Tensor xt = x.t();
            Scalar one = new Scalar(1.0);
            Scalar minusTwo = new Scalar(-2.0);
            Scalar infinity = new Scalar(Double.POSITIVE_INFINITY);
            for (long start = 0; start < n; start += block) {
                try (PointerScope inner = new PointerScope()) {
                    long rows = Math.min(block, n - start);
                    Tensor rank = torch.addmm(sqNorms, x.narrow(0, start, rows), xt, one, minusTwo);
                    rank.narrow(1, start, rows).fill_diagonal_(infinity);  // a row is not its own neighbour
                    T_TensorTensor_T top = rank.topk(k, 1, false, true);
                    Pointer.memcpy(indices.getPointer(start * k), top.get1().contiguous().data_ptr_long(),
                            rows * k * Long.BYTES);
                    progress.accept(start + rows);
                }
            }
        }
    }

}
