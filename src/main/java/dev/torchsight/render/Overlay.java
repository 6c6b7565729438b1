package dev.torchsight.render;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.OwnedMemory;
import dev.torchsight.io.AtomicFiles;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A class-activation map drawn over the original image: the map is resized (bilinear) to the image,
 * coloured with OpenCV's JET colour map and blended: {@code (1 - alpha) * image + alpha * heatmap}.
 * Returned {@code Mat}s are the caller's (attached to the caller's innermost {@code PointerScope}, or
 * closed by the caller when none is open); images passed in are only read (or drawn on by
 * {@link #caption}).
 */
public final class Overlay {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private Overlay() {}

    /**
     * The map (values in [0, 1], {@code height x width}, row-major) resized to the image's size.
     * Returns a 32-bit float single-channel Mat that is the caller's.
     *
     * @throws TorchsightException of kind {@link Kind#INPUT} when the sizes are not positive or the map
     *         does not hold {@code height x width} values
     */
    public static Mat resizeMap(float[] map, int height, int width, int toHeight, int toWidth) {
        requireMap(map, height, width);
        if (toHeight < 1 || toWidth < 1) {
            throw new TorchsightException(Kind.INPUT, toHeight + "x" + toWidth, "the image size must be positive, got "
                    + toHeight + "x" + toWidth);
        }
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            Mat small = new Mat(height, width, opencv_core.CV_32FC1, new FloatPointer(map));
            Mat big = new Mat();
            opencv_imgproc.resize(small, big, new Size(toWidth, toHeight), 0, 0, opencv_imgproc.INTER_LINEAR);
            return call.result(big);
        }
    }

    private static void requireMap(float[] map, int height, int width) {
        if (height < 1 || width < 1 || map == null || (long) height * width != map.length) {
            throw new TorchsightException(Kind.INPUT, height + "x" + width, "a " + height + "x" + width
                    + " map needs " + ((long) Math.max(height, 0) * Math.max(width, 0)) + " values, got "
                    + (map == null ? "none" : Integer.toString(map.length)));
        }
    }

    /**
     * The blended BGR 8-bit overlay (the caller's).
     *
     * @throws TorchsightException of kind {@link Kind#ALPHA} when {@code alpha} is not in [0, 1],
     *         {@link Kind#INPUT} when the image is not 8-bit BGR or the map does not fit its size
     */
    public static Mat jet(Mat imageBgr, float[] map, int height, int width, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new TorchsightException(Kind.ALPHA, alpha, "the heatmap weight alpha must be in [0, 1], got " + alpha);
        }
        if (imageBgr.empty() || imageBgr.channels() != 3 || imageBgr.depth() != opencv_core.CV_8U) {
            throw new TorchsightException(Kind.INPUT, imageBgr.channels(), "the overlay needs an 8-bit BGR image, got "
                    + (imageBgr.empty() ? "an empty one" : imageBgr.channels() + " channel(s) of depth " + imageBgr.depth()));
        }
        requireMap(map, height, width);
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            Mat resized = resizeMap(map, height, width, imageBgr.rows(), imageBgr.cols());
            Mat grey = new Mat();
            resized.convertTo(grey, opencv_core.CV_8UC1, 255.0, 0.0);
            Mat heat = new Mat();
            opencv_imgproc.applyColorMap(grey, heat, opencv_imgproc.COLORMAP_JET);
            Mat blended = new Mat();
            opencv_core.addWeighted(imageBgr, 1 - alpha, heat, alpha, 0.0, blended);
            return call.result(blended);
        }
    }

    /** Draws a caption (e.g. the predicted label) in the top-left corner, white on a dark band. */
    public static void caption(Mat image, String text) {
        double scale = Math.max(0.4, image.cols() / 600.0);
        int thickness = Math.max(1, (int) Math.round(scale * 1.5));
        int[] baseline = new int[1];
        Size size = opencv_imgproc.getTextSize(text, opencv_imgproc.FONT_HERSHEY_SIMPLEX, scale, thickness, baseline);
        int pad = Math.max(2, (int) (4 * scale));
        opencv_imgproc.rectangle(image, new org.bytedeco.opencv.opencv_core.Rect(0, 0, size.width() + 2 * pad,
                size.height() + baseline[0] + 2 * pad), new org.bytedeco.opencv.opencv_core.Scalar(0, 0, 0, 0),
                opencv_imgproc.FILLED, opencv_imgproc.LINE_8, 0);
        opencv_imgproc.putText(image, text, new org.bytedeco.opencv.opencv_core.Point(pad, pad + size.height()),
                opencv_imgproc.FONT_HERSHEY_SIMPLEX, scale, new org.bytedeco.opencv.opencv_core.Scalar(255, 255, 255, 0),
                thickness, opencv_imgproc.LINE_AA, false);
    }

    /** Writes an image as PNG or JPEG (by extension), atomically. */
    public static void write(Mat image, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"))) {
            throw new TorchsightException(Kind.OUTPUT, file, "unknown image format: " + file.getFileName()
                    + "; use a name ending in .png or .jpg");
        }
        AtomicFiles.write(file, tmp -> {
            if (!opencv_imgcodecs.imwrite(tmp.toString(), image)) {
                throw new java.io.IOException("OpenCV could not encode " + file.getFileName());
            }
        });
    }
}
