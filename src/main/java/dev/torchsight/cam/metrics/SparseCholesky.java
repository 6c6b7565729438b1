package dev.torchsight.cam.metrics;

/**
 * The Cholesky factor {@code L} (M = L L^T) of a sparse symmetric positive definite matrix, computed
 * row by row ("up-looking"): row k of L is a sparse triangular solve whose pattern is the set of nodes
 * reached from row k's entries along the elimination tree. A symbolic pass counts each column's
 * entries first, so the factor is stored compactly (column by column, diagonal first) and its size is
 * known before any value is computed. The caller orders the unknowns (nested dissection keeps the fill
 * small for grid problems).
 */
final class SparseCholesky {
    private final int n;
    private final int[] start;   // column j of L: positions start[j] .. start[j+1]-1, diagonal first
    private final int[] rows;
    private final double[] values;

    private SparseCholesky(int n, int[] start, int[] rows, double[] values) {
        this.n = n;
        this.start = start;
        this.rows = rows;
        this.values = values;
    }

    /**
     * Factors the matrix given by its upper triangle, column by column: column k's entries are at
     * {@code upperStart[k] .. upperStart[k+1]-1} of {@code upperRows} (row indices, each {@code <= k},
     * the diagonal included) and {@code upperValues}.
     *
     * @return the factor, or null when it would hold more than {@code maxEntries} entries or the matrix
     *         is not positive definite
     */
    static SparseCholesky factor(int n, int[] upperStart, int[] upperRows, double[] upperValues, long maxEntries) {
        int[] parent = eliminationTree(n, upperStart, upperRows);
        int[] stack = new int[n];
        int[] mark = new int[n];
        java.util.Arrays.fill(mark, -1);
        // Symbolic pass: row k's off-diagonal pattern adds one entry to each of its columns.
        long[] counts = new long[n];
        for (int k = 0; k < n; k++) {
            int top = reach(k, upperStart, upperRows, parent, stack, mark);
            for (int t = top; t < n; t++) {
                counts[stack[t]]++;
            }
            counts[k]++;
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total > maxEntries || total > Integer.MAX_VALUE - 8) {
            return null;
        }
        int[] start = new int[n + 1];
        for (int j = 0; j < n; j++) {
            start[j + 1] = (int) (start[j] + counts[j]);
        }
        int[] rows = new int[(int) total];
        double[] values = new double[(int) total];
        int[] next = new int[n];   // where column j's next entry goes
        double[] x = new double[n];
        java.util.Arrays.fill(mark, -1);
        for (int k = 0; k < n; k++) {
            int top = reach(k, upperStart, upperRows, parent, stack, mark);
            double diagonal = 0;
            for (int p = upperStart[k]; p < upperStart[k + 1]; p++) {
                if (upperRows[p] == k) {
                    diagonal += upperValues[p];
                } else {
                    x[upperRows[p]] = upperValues[p];
                }
            }
            for (int t = top; t < n; t++) {
                int i = stack[t];
                double lki = x[i] / values[start[i]];
                x[i] = 0;
                for (int p = start[i] + 1; p < start[i] + 1 + next[i]; p++) {
                    x[rows[p]] -= values[p] * lki;
                }
                diagonal -= lki * lki;
                int p = start[i] + 1 + next[i]++;
                rows[p] = k;
                values[p] = lki;
            }
            if (!(diagonal > 0)) {
                return null;
            }
            rows[start[k]] = k;
            values[start[k]] = Math.sqrt(diagonal);
        }
        return new SparseCholesky(n, start, rows, values);
    }

    /** Solves M y = b; returns y (b is not changed). */
    double[] solve(double[] b) {
        double[] y = b.clone();
        for (int j = 0; j < n; j++) {   // L z = b
            y[j] /= values[start[j]];
            for (int p = start[j] + 1; p < start[j + 1]; p++) {
                y[rows[p]] -= values[p] * y[j];
            }
        }
        for (int j = n - 1; j >= 0; j--) {   // L^T y = z
            double s = y[j];
            for (int p = start[j] + 1; p < start[j + 1]; p++) {
                s -= values[p] * y[rows[p]];
            }
            y[j] = s / values[start[j]];
        }
        return y;
    }

    /** Each column's parent in the elimination tree (-1 for a root), from the upper triangle. */
    private static int[] eliminationTree(int n, int[] upperStart, int[] upperRows) {
        int[] parent = new int[n];
        int[] ancestor = new int[n];
        for (int k = 0; k < n; k++) {
            parent[k] = -1;
            ancestor[k] = -1;
            for (int p = upperStart[k]; p < upperStart[k + 1]; p++) {
                int i = upperRows[p];
                while (i != -1 && i < k) {
                    int up = ancestor[i];
                    ancestor[i] = k;   // path compression towards k
                    if (up == -1) {
                        parent[i] = k;
                    }
                    i = up;
                }
            }
        }
        return parent;
    }

    /**
     * The pattern of row k of L without its diagonal: every node on the tree paths from row k's entries
     * up to k, in an order where each node comes after its descendants, left in
     * {@code stack[top .. n-1]}; returns top. {@code mark[i] == k} flags the nodes seen for row k.
     */
    private static int reach(int k, int[] upperStart, int[] upperRows, int[] parent, int[] stack, int[] mark) {
        int n = stack.length;
        int top = n;
        mark[k] = k;
        for (int p = upperStart[k]; p < upperStart[k + 1]; p++) {
            int i = upperRows[p];
            if (i > k) {
                continue;
            }
            // Walk up to the first node already seen, then put the path below the nodes on the stack,
            // leaf first: a later path ends below an earlier one, so descendants always come first.
            int from = top;
            for (; mark[i] != k; i = parent[i]) {
                stack[--from] = i;
                mark[i] = k;
            }
            reverse(stack, from, top - 1);
            top = from;
        }
        return top;
    }

    private static void reverse(int[] a, int from, int to) {
        while (from < to) {
            int t = a[from];
            a[from++] = a[to];
            a[to--] = t;
        }
    }
}
