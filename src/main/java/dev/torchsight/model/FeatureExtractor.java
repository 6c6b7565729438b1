package dev.torchsight.model;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
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
 *
 * <p>Thread-safe: extractions on one model from several threads take the model in turn, batch by
 * batch (see {@link LayerTap#run}); load one model per thread to run them in parallel.
 */
public final class FeatureExtractor {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** Supplies the model input for samples [start, start + count). */
    @FunctionalInterface
    public interface Batches {
        /**
         * An input batch (count x C x H x W). Tensors created here are freed after the batch has run;
         * a tensor the supplier keeps elsewhere is only read.
         */
        Tensor get(int start, int count);
    }

    private FeatureExtractor() {}

    /**
     * Extracts {@code layer}'s output for n samples.
     *
     * @param pool 0 to flatten the whole map (the article's choice), or P to average-pool each map
     *             to P x P first (C x P x P values per sample)
     * @param progress receives the number of samples done
     * @return an n x D float32 tensor that is the caller's: attached to the caller's innermost
     *         {@code PointerScope}, or closed by the caller when none is open
     * @throws TorchsightException of kind {@link Kind#BATCH_SIZE}, {@link Kind#POOL} or {@link Kind#LIMIT}
     *         for bad arguments (checked before any forward pass), {@link Kind#POOL} when pooling is asked
     *         of a layer without a spatial output, {@link Kind#MEMORY} when the features do not fit
     */
    public static Tensor extract(Model model, String layer, int n, int batchSize, int pool, Batches batches,
                                 IntConsumer progress) {
        if (n < 1) {
            throw new TorchsightException(Kind.LIMIT, n, "the number of samples must be at least 1, got " + n);
        }
        if (batchSize < 1) {
            throw new TorchsightException(Kind.BATCH_SIZE, batchSize, "batch size must be at least 1, got " + batchSize);
        }
        if (pool < 0) {
            throw new TorchsightException(Kind.POOL, pool, "pool size must be 0 (no pooling) or positive, got " + pool);
        }
        LayerTap tap = model.tap(layer);
        Tensor[] out = {null};
        try (OwnedMemory.CallScope call = OwnedMemory.call(); NoGradGuard guard = new NoGradGuard()) {
            for (int start = 0; start < n; start += batchSize) {
                int first = start;
                int count = Math.min(batchSize, n - start);
                try (PointerScope scope = new PointerScope()) {
                    tap.run(batches.get(first, count), (output, value) -> {
                        Tensor flat = flatten(value.detach(), count, pool, layer);
                        if (out[0] == null) {
                            out[0] = OwnedMemory.owned(allocate(n, flat.size(1), layer));
                        }
                        out[0].narrow(0, first, count).copy_(flat);
                        return null;
                    });
                }
                progress.accept(start + count);
            }
            // out[0] holds the one reference owned() took; the caller's scope (if any) takes it over.
            Tensor result = call.result(out[0]);
            out[0].releaseReference();
            return result;
        } catch (RuntimeException | Error e) {
            if (out[0] != null) {
                out[0].close();
            }
            throw e;
        }
    }

    /** The layer's output as count x D float32 on the CPU, pooled first when asked. */
    private static Tensor flatten(Tensor value, int count, int pool, String layer) {
        if (pool > 0) {
            if (value.dim() != 4) {
                throw new TorchsightException(Kind.POOL, pool, "pooling needs a spatial layer output (N x C x H x W); "
                        + layer + " gives " + value.dim() + " dimensions; use pool size 0");
            }
            value = torch.adaptive_avg_pool2d(value, new long[] {pool, pool});
        }
        return value.reshape(count, -1).cpu().to(torch.ScalarType.Float);
    }

    private static Tensor allocate(long n, long d, String layer) {
        long bytes = n * d * Float.BYTES;
        long available = Pointer.availablePhysicalBytes();
        if (available > 0 && bytes > available * 8 / 10) {
            throw new TorchsightException(Kind.MEMORY, bytes, String.format(Locale.ROOT,
                    "%d samples x %d features of %s need %.1f GiB but %.1f GiB is available; "
                            + "average-pool each map (pool size 1, 2 or 4) or embed fewer samples",
                    n, d, layer, bytes / 1073741824.0, available / 1073741824.0));
        }
        return torch.empty(n, d);
    }
}
