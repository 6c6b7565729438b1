package dev.torchsight.cam.metrics;

/**
 * A nested-dissection order of pixels on a grid with 8-neighbour coupling: the pixels' bounding box is
 * cut by its middle row (or column, whichever side is longer), which separates the two halves, each
 * half is ordered the same way, and the cut comes last. Eliminating in this order keeps a sparse
 * Cholesky factor of an n-pixel grid problem near n log n entries instead of the n^1.5 of row order.
 */
final class NestedDissection {
    /** Pieces this small are ordered row by row. */
    private static final int LEAF = 64;

    private NestedDissection() {}

    /** The pixels (indices y * width + x) in elimination order. */
    static int[] order(int[] pixels, int width) {
        int[] out = new int[pixels.length];
        int[] ys = new int[pixels.length];
        int[] xs = new int[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            ys[i] = pixels[i] / width;
            xs[i] = pixels[i] % width;
        }
        int[] count = {0};
        dissect(pixels.clone(), ys, xs, out, count);
        return out;
    }

    private static void dissect(int[] pixels, int[] ys, int[] xs, int[] out, int[] count) {
        int n = pixels.length;
        if (n <= LEAF) {
            int[] sorted = pixels.clone();
            java.util.Arrays.sort(sorted);
            for (int p : sorted) {
                out[count[0]++] = p;
            }
            return;
        }
        int y0 = Integer.MAX_VALUE;
        int y1 = Integer.MIN_VALUE;
        int x0 = Integer.MAX_VALUE;
        int x1 = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            y0 = Math.min(y0, ys[i]);
            y1 = Math.max(y1, ys[i]);
            x0 = Math.min(x0, xs[i]);
            x1 = Math.max(x1, xs[i]);
        }
        boolean byRow = y1 - y0 >= x1 - x0;
        int[] coordinate = byRow ? ys : xs;
        int middle = byRow ? (y0 + y1) / 2 : (x0 + x1) / 2;
        if ((byRow ? y1 - y0 : x1 - x0) < 2) {
            int[] sorted = pixels.clone();
            java.util.Arrays.sort(sorted);
            for (int p : sorted) {
                out[count[0]++] = p;
            }
            return;
        }
        int below = 0;
        int above = 0;
        for (int i = 0; i < n; i++) {
            if (coordinate[i] < middle) {
                below++;
            } else if (coordinate[i] > middle) {
                above++;
            }
        }
        int[][] parts = {new int[below], new int[above], new int[n - below - above]};
        int[][] partYs = {new int[below], new int[above], new int[n - below - above]};
        int[][] partXs = {new int[below], new int[above], new int[n - below - above]};
        int[] fill = new int[3];
        for (int i = 0; i < n; i++) {
            int part = coordinate[i] < middle ? 0 : coordinate[i] > middle ? 1 : 2;
            parts[part][fill[part]] = pixels[i];
            partYs[part][fill[part]] = ys[i];
            partXs[part][fill[part]++] = xs[i];
        }
        dissect(parts[0], partYs[0], partXs[0], out, count);
        dissect(parts[1], partYs[1], partXs[1], out, count);
        for (int p : parts[2]) {
            out[count[0]++] = p;  // the separator, last
        }
    }
}
