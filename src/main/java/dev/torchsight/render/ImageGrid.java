package dev.torchsight.render;

import dev.torchsight.core.Natives;
import dev.torchsight.cam.CamResult;
import dev.torchsight.io.FloatMatrix;
import dev.torchsight.io.Labels;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** A grid of Grad-CAM overlays of small grey images with predicted and true labels. */
public final class ImageGrid {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private ImageGrid() {}

    /**
     * Draws each map over its image (row {@code offset + imageIndex} of {@code images}, square grey
     * pixels in [0, 1]) enlarged to {@code cell} pixels, captioned with the predicted label (green when
     * right, red when wrong) and the true one, {@code columns} per row; writes a PNG.
     */
    public static void gradCam(List<CamResult> maps, FloatMatrix images, int offset, Labels truth, int columns, int cell,
                               Path file) {
        int side = (int) Math.round(Math.sqrt(images.cols()));
        int rows = (maps.size() + columns - 1) / columns;
        int band = Math.max(28, cell / 4);
        try (PointerScope scope = new PointerScope()) {
            Mat grid = new Mat(rows * (cell + band), columns * cell, opencv_core.CV_8UC3, new Scalar(255, 255, 255, 0));
            for (int k = 0; k < maps.size(); k++) {
                CamResult r = maps.get(k);
                float[] px = new float[side * side];
                System.arraycopy(images.values(), (offset + r.imageIndex()) * images.cols(), px, 0, px.length);
                Mat grey = new Mat(side, side, opencv_core.CV_32FC1, new FloatPointer(px));
                Mat grey8 = new Mat();
                grey.convertTo(grey8, opencv_core.CV_8UC1, 255.0, 0.0);
                Mat big = new Mat();
                opencv_imgproc.resize(grey8, big, new Size(cell, cell), 0, 0, opencv_imgproc.INTER_NEAREST);
                Mat bgr = new Mat();
                opencv_imgproc.cvtColor(big, bgr, opencv_imgproc.COLOR_GRAY2BGR);
                Mat overlay = Overlay.jet(bgr, r.map(), r.height(), r.width(), 0.45);
                int x = (k % columns) * cell;
                int y = (k / columns) * (cell + band);
                overlay.copyTo(new Mat(grid, new Rect(x, y, cell, cell)));
                overlay.close();
                int actual = truth.codes()[r.imageIndex()];
                boolean right = actual == r.predictedClass();
                Scalar colour = right ? new Scalar(0, 140, 0, 0) : new Scalar(0, 0, 200, 0);
                opencv_imgproc.putText(grid, "pred " + short12(truth.classNames().get(r.predictedClass())),
                        new Point(x + 3, y + cell + band / 2 - 2), opencv_imgproc.FONT_HERSHEY_SIMPLEX, cell / 300.0,
                        colour, 1, opencv_imgproc.LINE_AA, false);
                opencv_imgproc.putText(grid, "true " + short12(truth.classNames().get(actual)),
                        new Point(x + 3, y + cell + band - 4), opencv_imgproc.FONT_HERSHEY_SIMPLEX, cell / 300.0,
                        new Scalar(60, 60, 60, 0), 1, opencv_imgproc.LINE_AA, false);
            }
            Overlay.write(grid, file);
        }
    }

    private static String short12(String s) {
        return s.length() <= 12 ? s : s.substring(0, 11) + ".";
    }
}
