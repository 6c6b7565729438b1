package dev.torchsight.io;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.List;
import dev.torchsight.core.internal.OwnedMemory;
import org.bytedeco.javacpp.Pointer;
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
 * libtorch, never in Java loops. Images passed in are only read; returned tensors are the caller's
 * (attached to the caller's innermost {@code PointerScope}, or closed by the caller when none is open).
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

    /** Largest input side: 16384 pixels (a 3 x 16384 x 16384 float image is 3 GiB). */
    public static final int MAX_SIZE = 16_384;

    /**
     * Checks sizes and statistics.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT_SIZE} for a side outside 1..{@value #MAX_SIZE},
     *         {@link Kind#MEAN} or {@link Kind#STD} for a wrong count or a non-finite value (std also
     *         non-positive)
     */
    public Preprocessing {
        if (height < 1 || width < 1 || height > MAX_SIZE || width > MAX_SIZE) {
            throw new TorchsightException(Kind.INPUT_SIZE, height == width ? height : height + "x" + width,
                    "input size must be between 1 and " + MAX_SIZE + " pixels per side, got " + height + "x" + width);
        }
        if (mean == null || mean.length != 3) {
            throw new TorchsightException(Kind.MEAN, mean == null ? null : mean.length,
                    "the normalisation mean needs 3 values (R,G,B), got " + (mean == null ? 0 : mean.length));
        }
        if (std == null || std.length != 3) {
            throw new TorchsightException(Kind.STD, std == null ? null : std.length,
                    "the normalisation standard deviation needs 3 values (R,G,B), got " + (std == null ? 0 : std.length));
        }
        for (double m : mean) {
            if (!Double.isFinite(m)) {
                throw new TorchsightException(Kind.MEAN, m, "normalisation mean values must be finite, got " + m);
            }
        }
        for (double s : std) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new TorchsightException(Kind.STD, s,
                        "normalisation standard deviations must be positive and finite, got " + s);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The per-channel mean (a copy). */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviation (a copy). */
    @Override
    public double[] std() {
        return std.clone();
    }

    /** Square input with ImageNet statistics. */
    public static Preprocessing imagenet(int size) {
        return new Preprocessing(size, size, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** One image (BGR 8-bit) to a 3 x H x W normalised float tensor (the caller's). */
    public Tensor apply(Mat bgr) {
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            return call.result(batch(List.of(bgr)).squeeze(0));
        }
    }

    /**
     * Images to one N x 3 x H x W batch. Resizing follows torchvision's Resize on PIL images: bilinear
     * with antialiasing when shrinking (libtorch's antialiased bilinear, which matches PIL's filter),
     * rounded back to 8 bits as PIL does; then channel order, scaling and normalisation run once for
     * the whole batch. The result is the caller's.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT} for an empty list or an image that is not
     *         8-bit BGR, {@link Kind#MEMORY} when the batch does not fit in memory
     */
    public Tensor batch(List<Mat> images) {
        int n = images.size();
        if (n == 0) {
            throw new TorchsightException(Kind.INPUT, 0, "no images to preprocess");
        }
        long bytes = (long) n * 3 * height * width * Float.BYTES;
        long available = Pointer.availablePhysicalBytes();
        if (available > 0 && bytes > available / 2) {
            throw new TorchsightException(Kind.MEMORY, bytes, String.format(java.util.Locale.ROOT,
                    "%d images at %dx%d need %.1f GiB as floats but %.1f GiB is available; use a smaller input size "
                            + "or fewer images per batch", n, height, width, bytes / 1073741824.0, available / 1073741824.0));
        }
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            Tensor out = torch.empty(n, 3, height, width);
            InterpolateFuncOptions resize = new InterpolateFuncOptions();
            resize.size().put(new LongVector(height, width));
            resize.mode().put(new InterpolateMode(new kBilinear()));
            resize.align_corners().put(false);
            resize.antialias().put(true);
            for (int i = 0; i < n; i++) {
                Mat bgr = images.get(i);
                if (bgr.empty() || bgr.channels() != 3 || bgr.depth() != opencv_core.CV_8U) {
                    throw new TorchsightException(Kind.INPUT, i, "image " + i + " of the batch is not an 8-bit colour "
                            + "(BGR) image: " + (bgr.empty() ? "it is empty" : bgr.channels() + " channel(s), depth "
                            + bgr.depth()) + "; decode images as 8-bit colour");
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
            return call.result(normalised);
        }
    }
}
