package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.util.List;
import dev.torchsight.core.internal.OwnedMemory;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The one image pipeline (CLI, demo and API): BGR to RGB, resize to H x W (bilinear), scale to
 * [0, 1] (torchvision's ToTensor), then Normalize(mean, std) per channel. Pixel work is done by
 * OpenCV and libtorch, never in Java loops.
 *
 * @param height network input height
 * @param width network input width
 * @param mean per-channel mean (RGB)
 * @param std per-channel standard deviation (RGB)
 */
public record Preprocessing(int height, int width, double[] mean, double[] std) {
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
     * Images to one N x 3 x H x W batch: each is resized by OpenCV straight into one shared 8-bit
     * buffer, then channel order, layout, scaling and normalisation run once for the whole batch.
     */
    public Tensor batch(List<Mat> images) {
        int n = images.size();
        long frame = (long) height * width * 3;
        try (PointerScope scope = new PointerScope(); BytePointer pixels = new BytePointer(n * frame)) {
            for (int i = 0; i < n; i++) {
                Mat bgr = images.get(i);
                if (bgr.channels() != 3 || bgr.depth() != opencv_core.CV_8U) {
                    throw new TorchsightException("expected an 8-bit colour image, got " + bgr.channels() + " channel(s)");
                }
                Mat target = new Mat(height, width, opencv_core.CV_8UC3, pixels.getPointer(i * frame));
                opencv_imgproc.resize(bgr, target, new Size(width, height), 0, 0, opencv_imgproc.INTER_LINEAR);
            }
            Tensor nhwc = torch.from_blob(pixels, new long[] {n, height, width, 3},
                    new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Byte));
            // BGR -> RGB, NHWC -> NCHW, then (x / 255 - mean) / std = x * a + b per channel.
            Tensor nchw = nhwc.flip(3).permute(0, 3, 1, 2).to(torch.ScalarType.Float);
            float[] scale = new float[3];
            float[] shift = new float[3];
            for (int c = 0; c < 3; c++) {
                scale[c] = (float) (1.0 / (255.0 * std[c]));
                shift[c] = (float) (-mean[c] / std[c]);
            }
            Tensor out = nchw.mul(Tensor.create(scale, 1, 3, 1, 1)).add(Tensor.create(shift, 1, 3, 1, 1)).contiguous();
            return OwnedMemory.owned(out);
        }
    }
}
