package dev.torchsight.cam;

import dev.torchsight.core.Natives;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Map arithmetic shared by the engine: pytorch-grad-cam's scaling, layer averaging, and reading tensors back. */
final class MapValues {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private static final double EPSILON = 1e-7;

    private MapValues() {}

    /**
     * Per image: minus its minimum, divided by (1e-7 + the new maximum), then (when a size is given)
     * resized bilinearly (half-pixel centres, as OpenCV) to {@code height} x {@code width}. N x h x w in.
     */
    static Tensor scale(Tensor maps, long height, long width) {
        long n = maps.size(0);
        Tensor flat = maps.reshape(n, -1);
        Tensor shifted = flat.sub(flat.amin(new long[] {1}, true));
        Tensor scaled = shifted.div(shifted.amax(new long[] {1}, true).add(new Scalar(EPSILON))).reshape(maps.sizes());
        if (height <= 0 || (scaled.size(1) == height && scaled.size(2) == width)) {
            return scaled;
        }
        return torch.upsample_bilinear2d(scaled.unsqueeze(1), new long[] {height, width}, false).squeeze(1);
    }

    /** Layers' scaled maps (each N x H x W) to one: ReLU, mean over layers, scaled again. */
    static Tensor aggregate(List<Tensor> perLayer) {
        Tensor stacked = torch.relu(torch.stack(new TensorVector(perLayer.toArray(new Tensor[0])), 1));
        Tensor mean = stacked.mean(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        return scale(mean, 0, 0);
    }

    static float[] floats(Tensor t) {
        float[] out = new float[(int) t.numel()];
        t.cpu().to(torch.ScalarType.Float).contiguous().data_ptr_float().get(out);
        return out;
    }

    static double[] doubles(Tensor t) {
        double[] out = new double[(int) t.numel()];
        t.cpu().to(torch.ScalarType.Double).contiguous().data_ptr_double().get(out);
        return out;
    }

    static long[] longs(Tensor t) {
        long[] out = new long[(int) t.numel()];
        t.cpu().to(torch.ScalarType.Long).contiguous().data_ptr_long().get(out);
        return out;
    }
}
