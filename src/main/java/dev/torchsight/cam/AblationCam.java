package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Ablation-CAM (Desai and Ramaswamy): a channel's weight is the relative drop of the target score when
 * the channel is ablated, {@code (score - ablated) / score}. Channels are ablated {@link CamContext#camBatch()}
 * at a time, re-running only the layers after the tapped one when the graph allows it. The ablation
 * value is pytorch-grad-cam's: 0 when the layer's minimum is 0, otherwise row j of a batch gets the
 * minimum minus (j + 1) x 1e7 (its ablation layer lowers the running minimum row by row).
 */
public final class AblationCam extends CamMethod {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private static final float ABLATION_STEP = 1e7f;

    @Override
    public String name() {
        return "ablationcam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    protected Tensor channelWeights(CamContext c) {
        int n = (int) c.activations().size(0);
        int channels = (int) c.activations().size(1);
        float[] weights = new float[n * channels];
        int axis = c.channelAxis();
        for (int i = 0; i < n; i++) {
            Tensor values = c.layerValues(i);
            float original = c.targetScore(i);
            for (int from = 0; from < channels; from += c.camBatch()) {
                int k = Math.min(c.camBatch(), channels - from);
                Tensor rows = values.expand(rowsShape(values, k)).clone();
                float value = (float) rows.min().item_double();
                boolean zero = value == 0f;
                for (int j = 0; j < k; j++) {
                    value = zero ? 0f : value - ABLATION_STEP;
                    rows.select(0, j).select(axis - 1, from + j).fill_(new Scalar(value));
                }
                float[] ablated = c.scoreWithLayerValues(i, rows, c.targets().get(i));
                for (int j = 0; j < k; j++) {
                    weights[i * channels + from + j] = (original - ablated[j]) / original;
                }
            }
        }
        return Tensor.create(weights, n, channels).to(c.activations().device(), c.activations().scalar_type());
    }

    private static long[] rowsShape(Tensor one, int rows) {
        long[] shape = one.sizes().vec().get();
        shape[0] = rows;
        return shape;
    }
}
