package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.internal.TorchsightNative;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Places new points into a fixed map, as openTSNE's transform does: each new point gets Gaussian
 * affinities to its nearest reference points (calibrated to a small perplexity), starts at their
 * affinity-weighted mean and is optimised alone against the fixed reference: attraction to its
 * neighbours, repulsion from every reference point, normalised per new point. New points do not
 * interact, so each one's place does not depend on what else is transformed with it.
 */
final class MapTransform {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Options of one transform. */
    record Options(double perplexity, int iterations, double learningRate, double momentum, int threads) { }

    private MapTransform() {}

    /** Rows of new data (raw, as the map's input) to coordinates (m x dims). */
    static double[] place(MapReference ref, Tensor raw, Options options) {
        try (PointerScope scope = new PointerScope()) {
            // The same preparation as the fit's neighbour search (cosine: unit rows, an all-zero row refused).
            Tensor rows = NearestNeighbors.prepared(ref.basis() != null ? ref.basis().project(raw) : raw, ref.metric());
            Tensor reference = NearestNeighbors.prepared(Tensor.create(ref.features(), ref.n(), ref.d()), ref.metric());
            int m = (int) rows.size(0);
            int k = (int) Math.min(ref.n() - 1, (long) Math.floor(3 * options.perplexity()) + 1);
            int dims = ref.dims();
            long[] indices = new long[m * k];
            double[] distSq = new double[m * k];
            nearestReference(rows, reference, k, indices, distSq);
            try (DoublePointer dist = new DoublePointer(distSq); DoublePointer p = new DoublePointer((long) m * k);
                 LongPointer rowPtr = new LongPointer(m + 1L); IntPointer cols = new IntPointer((long) m * k);
                 DoublePointer yRef = new DoublePointer(ref.coordinates());
                 DoublePointer y = new DoublePointer((long) m * dims);
                 DoublePointer attr = new DoublePointer((long) m * dims);
                 DoublePointer rep = new DoublePointer((long) m * dims);
                 DoublePointer zRow = new DoublePointer(m);
                 DoublePointer grad = new DoublePointer((long) m * dims);
                 DoublePointer update = new DoublePointer((long) m * dims);
                 DoublePointer gains = new DoublePointer((long) m * dims)) {
                TorchsightNative.tsne_conditional_p(dist, m, k, options.perplexity(),
                        SparseAffinities.PERPLEXITY_TOLERANCE, 200, p, null, options.threads());
                double[] weights = new double[m * k];
                p.get(weights);
                double[] start = new double[m * dims];
                for (int i = 0; i < m; i++) {
                    rowPtr.put(i, (long) i * k);
                    for (int j = 0; j < k; j++) {
                        int r = (int) indices[i * k + j];
                        cols.put((long) i * k + j, r);
                        for (int c = 0; c < dims; c++) {
                            start[i * dims + c] += weights[i * k + j] * ref.coordinates()[r * dims + c];
                        }
                    }
                }
                rowPtr.put(m, (long) m * k);
                y.put(start);
                update.fill(0);
                double[] ones = new double[m * dims];
                java.util.Arrays.fill(ones, 1.0);
                gains.put(ones);
                KernelShape kernel = new KernelShape(dims, ref.dof());
                CpuRepulsion repulsion = ((CpuBackend) Backends.cpu(TsneMethod.AUTO, ref.n(), kernel, 0.5)).repulsion();
                for (int it = 0; it < options.iterations(); it++) {
                    TorchsightNative.tsne_attractive(rowPtr, cols, p, m, dims, ref.dof(), y, yRef, attr,
                            options.threads());
                    repulsion.compute(kernel, ref.n(), yRef, m, y, false, rep, zRow, options.threads());
                    TorchsightNative.tsne_combine(m, dims, attr, rep, 1.0, 0, zRow, grad, options.threads());
                    TorchsightNative.tsne_update((long) m * dims, y, update, gains, grad, options.momentum(),
                            options.learningRate(), 0.01, options.threads());
                }
                double[] out = new double[m * dims];
                y.get(out);
                return out;
            }
        }
    }

    /** Exact k nearest reference rows of each new row, by blocked matrix products; distances in double. */
    private static void nearestReference(Tensor rows, Tensor reference, int k, long[] indices, double[] distSq) {
        int m = (int) rows.size(0);
        int d = (int) rows.size(1);
        long n = reference.size(0);
        long block = Math.max(1, Math.min(m, (8L << 20) / Math.max(1, n)));
        Tensor refNorms = reference.square().sum(new long[] {1}, false, new ScalarTypeOptional()).unsqueeze(0);
        Tensor refT = reference.t();
        float[] a = new float[m * d];
        rows.contiguous().data_ptr_float().get(a);
        float[] b = new float[(int) n * d];
        reference.contiguous().data_ptr_float().get(b);
        for (long s = 0; s < m; s += block) {
            try (PointerScope inner = new PointerScope()) {
                long count = Math.min(block, m - s);
                Tensor rank = torch.addmm(refNorms, rows.narrow(0, s, count), refT, new Scalar(1.0), new Scalar(-2.0));
                T_TensorTensor_T top = rank.topk(k, 1, false, true);
                long[] idx = new long[(int) (count * k)];
                top.get1().contiguous().data_ptr_long().get(idx);
                System.arraycopy(idx, 0, indices, (int) (s * k), idx.length);
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                int r = (int) indices[i * k + j];
                double sum = 0;
                for (int c = 0; c < d; c++) {
                    double diff = (double) a[i * d + c] - b[r * d + c];
                    sum += diff * diff;
                }
                distSq[i * k + j] = sum;
            }
        }
    }
}
