package dev.torchsight.io;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import java.util.List;
import dev.torchsight.core.internal.OwnedMemory;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.InterpolateMode;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.kBilinear;
import org.bytedeco.pytorch.global.torch;

/**
 * The one image pipeline (CLI, demo and API), torchvision's {@code Resize((h, w))} (bilinear) ->
 * {@code ToTensor} -> {@code Normalize(mean, std)} on images decoded by OpenCV. Pixel work is done by
 * libtorch, never in Java loops.
 *
 * @param height network input height
 * @param width network input width
 * @param mean per-channel mean (RGB)
 * @param std per-channel standard deviation (RGB)
 */
public record Preprocessing(int height, int width, double[] mean, double[] std) {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    /** ImageNet's normalisation, the torchvision default for pretrained models. */
    public static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    /** ImageNet's standard deviations. */
    public static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    /** Checks sizes and statistics. */
    public Preprocessing {
        if (height < 1 || width < 1) {
            throw new TorchsightException("input size must be positive, got " + height + "x" + width);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new TorchsightException("--mean and --std need 3 values (R,G,B), got " + mean.length + " and " + std.length);
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new TorchsightException("--std values must be positive, got " + s);
            }
        }
    }

    /** Square input with ImageNet statistics. */
    public static Preprocessing imagenet(int size) {
        return new Preprocessing(size, size, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** One image (BGR 8-bit) to a 3 x H x W normalised float tensor. */
    public Tensor apply(Mat bgr) {
        try (PointerScope scope = new PointerScope()) {
            return OwnedMemory.owned(batch(List.of(bgr)).squeeze(0));
        }
    }

    /**
     * Images to one N x 3 x H x W batch. Resizing follows torchvision's Resize on PIL images: bilinear
     * with antialiasing when shrinking (libtorch's antialiased bilinear, which matches PIL's filter),
     * rounded back to 8 bits as PIL does; then channel order, scaling and normalisation run once for
     * the whole batch.
     */
    public Tensor batch(List<Mat> images) {
        int n = images.size();
        try (PointerScope scope = new PointerScope()) {
            Tensor out = torch.empty(n, 3, height, width);
            InterpolateFuncOptions resize = new InterpolateFuncOptions();
            resize.size().put(new LongVector(height, width));
            resize.mode().put(new InterpolateMode(new kBilinear()));
            resize.align_corners().put(false);
            resize.antialias().put(true);
            for (int i = 0; i < n; i++) {
                Mat bgr = images.get(i);
                if (bgr.channels() != 3 || bgr.depth() != opencv_core.CV_8U) {
                    throw new TorchsightException("expected an 8-bit colour image, got " + bgr.channels() + " channel(s)");
                }
                Tensor hwc = torch.from_blob(bgr.data(), new long[] {bgr.rows(), bgr.cols(), 3},
                        new long[] {bgr.step(), 3, 1}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Byte));
                Tensor chw = hwc.permute(2, 0, 1).unsqueeze(0).to(torch.ScalarType.Float);
                Tensor resized = bgr.rows() == height && bgr.cols() == width ? chw
                        : torch.interpolate(chw, resize).round().clamp(new ScalarOptional(new Scalar(0.0)),
                                new ScalarOptional(new Scalar(255.0)));
                out.narrow(0, i, 1).copy_(resized);
            }
            // BGR -> RGB, then (x / 255 - mean) / std = x * a + b per channel.
            float[] scale = new float[3];
            float[] shift = new float[3];
            for (int c = 0; c < 3; c++) {
                scale[c] = (float) (1.0 / (255.0 * std[c]));
                shift[c] = (float) (-mean[c] / std[c]);
            }
            Tensor normalised = out.flip(1).mul(Tensor.create(scale, 1, 3, 1, 1)).add(Tensor.create(shift, 1, 3, 1, 1))
                    .contiguous();
            return OwnedMemory.owned(normalised);
        }
    }
}
