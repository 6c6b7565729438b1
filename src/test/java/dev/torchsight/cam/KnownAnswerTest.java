package dev.torchsight.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchsight.model.Model;
import dev.torchsight.model.SmallCnn;
import dev.torchsight.model.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CNN trained in-process on noise images whose class is decided by a bright square (class 1: a
 * square somewhere, class 0: none): explaining class 1, every gradient method's peak must fall inside the square.
 */
class KnownAnswerTest {
    static final int SIZE = 32;
    static final int SQUARE = 8;

    @TempDir
    Path dir;

    /** n noisy images, a bright square in those of class 1; returns pixels, labels and square corners. */
    record Squares(float[] pixels, long[] labels, int[][] corners) { }

    static Squares squares(int n, long seed, boolean allWithSquare) {
        Random r = new Random(seed);
        float[] px = new float[n * SIZE * SIZE];
        long[] labels = new long[n];
        int[][] corners = new int[n][2];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < SIZE * SIZE; p++) {
                px[i * SIZE * SIZE + p] = 0.3f * r.nextFloat();
            }
            int cls = allWithSquare ? 1 : r.nextInt(2);
            int x = r.nextInt(SIZE - SQUARE + 1);
            int y = r.nextInt(SIZE - SQUARE + 1);
            for (int dy = 0; cls == 1 && dy < SQUARE; dy++) {
                for (int dx = 0; dx < SQUARE; dx++) {
                    px[i * SIZE * SIZE + (y + dy) * SIZE + x + dx] = 1f;
                }
            }
            labels[i] = cls;
            corners[i] = new int[] {y, x};
        }
        return new Squares(px, labels, corners);
    }

    @Test
    void gradCamPeakLiesInsideTheSquareThatDecidesTheClass() {
        Path saved = dir.resolve("squares.pt");
        try (PointerScope scope = new PointerScope()) {
            Squares train = squares(1200, 1, false);
            JitModule net = SmallCnn.build(1, SIZE, new int[] {8, 16}, 2, 7, 0.0, 1.0);
            Tensor x = Tensor.create(train.pixels(), 1200, 1, SIZE, SIZE);
            Tensor y = Tensor.create(train.labels(), 1200);
            Trainer.fit(net, x, y, 4, 32, 3e-3, 5, epoch -> { });
            Squares mixed = squares(400, 3, false);
            double accuracy = Trainer.accuracy(net, Tensor.create(mixed.pixels(), 400, 1, SIZE, SIZE),
                    Tensor.create(mixed.labels(), 400), 100);
            Squares test = squares(200, 2, true);
            Tensor tx = Tensor.create(test.pixels(), 200, 1, SIZE, SIZE);
            assertTrue(accuracy >= 0.95, "the network learned the task: " + accuracy);
            net.save(saved.toString());
            try (Model model = Model.load(saved)) {
                for (CamMethod method : CamMethods.all()) {
                    if (!method.usesGradients() || method instanceof EigenGradCam) {
                        continue;  // Eigen-Grad-CAM: a principal component's sign is arbitrary (as in pytorch-grad-cam)
                    }
                    List<CamResult> maps = Cam.builder(model).setMethod(method).setLayers("conv2").build()
                            .explain(tx, Target.classIndex(1));
                    int inside = 0;
                    for (CamResult r : maps) {
                        int peak = r.peakIndex();
                        int py = peak / SIZE;
                        int px = peak % SIZE;
                        int[] c = test.corners()[r.imageIndex()];
                        if (py >= c[0] && py < c[0] + SQUARE && px >= c[1] && px < c[1] + SQUARE) {
                            inside++;
                        }
                    }
                    System.out.printf("known-answer: %s, accuracy %.3f, peak inside the square for %d of 200%n",
                            method.name(), accuracy, inside);
                    assertTrue(inside >= 190, method.name() + ": peak inside the square for " + inside + " of 200 images");
                }
            }
        }
    }
}
