package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
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
            Mat rgb = new Mat();
            opencv_imgproc.cvtColor(bgr, rgb, opencv_imgproc.COLOR_BGR2RGB);
            Mat resized = new Mat();
            opencv_imgproc.resize(rgb, resized, new Size(width, height), 0, 0, opencv_imgproc.INTER_LINEAR);
            Tensor hwc = torch.from_blob(resized.data(), new long[] {height, width, 3},
                    new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Byte));
            Tensor chw = hwc.permute(2, 0, 1).to(torch.ScalarType.Float).div(new Scalar(255.0));
            Tensor m = Tensor.create(new float[] {(float) mean[0], (float) mean[1], (float) mean[2]}, 3, 1, 1);
            Tensor s = Tensor.create(new float[] {(float) std[0], (float) std[1], (float) std[2]}, 3, 1, 1);
            Tensor out = chw.sub(m).div(s).contiguous();
            dev.torchsight.core.internal.OwnedMemory.owned(out);
            return out;
        }
    }

    /** Images to one N x 3 x H x W batch. */
    public Tensor batch(List<Mat> images) {
        try (PointerScope scope = new PointerScope()) {
            TensorVector rows = new TensorVector();
            List<Tensor> keep = new ArrayList<>();
            for (Mat m : images) {
                Tensor t = apply(m);
                keep.add(t);
                rows.push_back(t);
            }
            Tensor out = torch.stack(rows);
            dev.torchsight.core.internal.OwnedMemory.owned(out);
            keep.forEach(Tensor::close);
            return out;
        }
    }
}
