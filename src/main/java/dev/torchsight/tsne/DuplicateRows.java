package dev.torchsight.tsne;

import java.util.Arrays;

/**
 * Rows grouped by identical values (bit for bit). An HNSW graph loses exact duplicates: its diversity pruning
 * keeps one edge into a set of identical points, so a copy can become unreachable and go missing from its own
 * twins' neighbours. {@link ApproximateNeighborSearch} therefore indexes one row per group and gives each row
 * the other members of its group first (distance 0), then the members of the groups found near it.
 */
final class DuplicateRows {
    /** Groups (distinct rows). */
    final int groups;
    /** Group of every row; groups are numbered by their first row, in row order. */
    final int[] groupOf;
    /** Rows of group g: {@code members[start[g] .. start[g+1])}, ascending. */
    final int[] start;
    final int[] members;

    private DuplicateRows(int groups, int[] groupOf, int[] start, int[] members) {
        this.groups = groups;
        this.groupOf = groupOf;
        this.start = start;
        this.members = members;
    }

    /** The first row of group g: the one whose values the graph indexes. */
    int representative(int g) {
        return members[start[g]];
    }

    int size(int g) {
        return start[g + 1] - start[g];
    }

    /** Groups the n rows of length d in x (row-major). O(n log n) sort of 32-bit row hashes; no boxing. */
    static DuplicateRows of(float[][] rows) {
        int n = rows.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) Arrays.hashCode(rows[i]) << 32) | i;
        }
        Arrays.sort(keys);  // by hash, then by row
        int[] firstOf = new int[n];  // the lowest row with the same values
        for (int runStart = 0; runStart < n; ) {
            int runEnd = runStart + 1;
            while (runEnd < n && (keys[runEnd] >>> 32) == (keys[runStart] >>> 32)) {
                runEnd++;
            }
            // within a hash run (almost always one group), compare values against each earlier row's first
            for (int a = runStart; a < runEnd; a++) {
                int row = (int) keys[a];
                firstOf[row] = row;
                for (int b = runStart; b < a; b++) {
                    int other = (int) keys[b];
                    if (firstOf[other] == other && Arrays.equals(rows[row], rows[other])) {
                        firstOf[row] = other;  // rows ascend within a run: other is the group's first
                        break;
                    }
                }
            }
            runStart = runEnd;
        }
        int[] groupOf = new int[n];
        int groups = 0;
        for (int i = 0; i < n; i++) {
            groupOf[i] = firstOf[i] == i ? groups++ : groupOf[firstOf[i]];
        }
        int[] start = new int[groups + 1];
        for (int i = 0; i < n; i++) {
            start[groupOf[i] + 1]++;
        }
        for (int g = 0; g < groups; g++) {
            start[g + 1] += start[g];
        }
        int[] fill = Arrays.copyOf(start, groups);
        int[] members = new int[n];
        for (int i = 0; i < n; i++) {
            members[fill[groupOf[i]]++] = i;
        }
        return new DuplicateRows(groups, groupOf, start, members);
    }
}
