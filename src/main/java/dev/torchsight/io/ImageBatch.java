package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;

/**
 * Decoded images and their preprocessed batch tensor. Owns the OpenCV images (the originals, kept
 * for overlays at full resolution); close it to free them.
 *
 * @param images original images, BGR 8-bit, in batch order
 * @param tensor N x 3 x H x W float32, normalised
 */
public record ImageBatch(List<Mat> images, Tensor tensor) implements AutoCloseable {
    /** Checks that there is one image per batch row. */
    public ImageBatch {
        if (images.size() != tensor.size(0)) {
            throw new TorchsightException("batch holds " + tensor.size(0) + " rows for " + images.size() + " images");
        }
    }

    @Override
    public void close() {
        images.forEach(Mat::close);
        tensor.close();
    }
}
