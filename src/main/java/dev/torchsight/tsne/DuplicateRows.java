package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Rows grouped by identical values (bit for bit). Identical rows are a trap for graph indexes: all distances
 * among them tie at zero, so a large group becomes a clique the search wanders in, and pruning may leave a
 * copy unreachable (JVector lost copies of tripled rows in our tests; hnswlib kept them). {@link
 * ApproximateNeighborSearch} therefore indexes and queries one row per group and gives each row the other
 * members of its group first (distance 0), then the members of the groups found near it.
 */
final class DuplicateRows {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

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

    /** Groups the n rows of d values in x (row-major). A sort of 32-bit row hashes; no boxing. */
    static DuplicateRows of(FloatPointer x, int n, int d) {
        FloatPointer view = new FloatPointer(x);  // a position of its own
        float[] a = new float[d];
        float[] b = new float[d];
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            view.position((long) i * d).get(a);
            keys[i] = ((long) Arrays.hashCode(a) << 32) | i;
        }
        Arrays.sort(keys);  // by hash, then by row
        int[] firstOf = new int[n];  // the lowest row with the same values
        for (int runStart = 0; runStart < n; ) {
            int runEnd = runStart + 1;
            while (runEnd < n && (keys[runEnd] >>> 32) == (keys[runStart] >>> 32)) {
                runEnd++;
            }
            // within a hash run (almost always one group), compare values with each earlier group's first row
            for (int p = runStart; p < runEnd; p++) {
                int row = (int) keys[p];
                firstOf[row] = row;
                if (runEnd - runStart > 1) {
                    view.position((long) row * d).get(a);
                }
                for (int q = runStart; q < p; q++) {
                    int other = (int) keys[q];
                    if (firstOf[other] == other && Arrays.equals(a, read(view, other, d, b))) {
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

    private static float[] read(FloatPointer x, int row, int d, float[] into) {
        x.position((long) row * d).get(into);
        return into;
    }
}
