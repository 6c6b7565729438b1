package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.internal.OwnedMemory;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a model over a data set in batches and keeps one layer's output per sample, flattened, in one
 * native N x D float tensor (the features never pass through Java arrays). Memory is planned: the
 * size is known after the first batch and checked against the machine before the rest runs.
 */
public final class FeatureExtractor {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Supplies the model input for samples [start, start + count). */
    @FunctionalInterface
    public interface Batches {
        /** An input batch (count x C x H x W). */
        Tensor get(int start, int count);
    }

    private FeatureExtractor() {}

    /**
     * Extracts {@code layer}'s output for n samples.
     *
     * @param pool 0 to flatten the whole map (the article's choice), or P to average-pool each map
     *             to P x P first (C x P x P values per sample)
     * @param progress receives the number of samples done
     * @return an n x D float32 tensor the caller closes
     */
    public static Tensor extract(Model model, String layer, int n, int batchSize, int pool, Batches batches,
                                 IntConsumer progress) {
        LayerTap tap = model.tap(layer);
        Tensor out = null;
        try (NoGradGuard guard = new NoGradGuard()) {
            for (int start = 0; start < n; start += batchSize) {
                int count = Math.min(batchSize, n - start);
                try (PointerScope scope = new PointerScope()) {
                    tap.clear();
                    model.forward(batches.get(start, count));
                    Tensor value = tap.value().detach();
                    tap.clear();
                    if (pool > 0) {
                        if (value.dim() != 4) {
                            throw new TorchsightException("--pool needs a spatial layer output (N x C x H x W); " + layer
                                    + " gives " + value.dim() + " dimensions");
                        }
                        value = torch.adaptive_avg_pool2d(value, new long[] {pool, pool});
                    }
                    Tensor flat = value.reshape(count, -1).cpu().to(torch.ScalarType.Float);
                    if (out == null) {
                        out = OwnedMemory.owned(allocate(n, flat.size(1), layer));
                    }
                    out.narrow(0, start, count).copy_(flat);
                }
                progress.accept(start + count);
            }
        }
        return out;
    }

    private static Tensor allocate(long n, long d, String layer) {
        long bytes = n * d * Float.BYTES;
        long available = Pointer.availablePhysicalBytes();
        if (available > 0 && bytes > available * 8 / 10) {
            throw new TorchsightException(String.format(Locale.ROOT,
                    "%d samples x %d features of %s need %.1f GiB but %.1f GiB is available; "
                            + "use --pool 1 (or 2, 4) to average-pool each map, or --limit to embed fewer samples",
                    n, d, layer, bytes / 1073741824.0, available / 1073741824.0));
        }
        return torch.empty(n, d);
    }
}
