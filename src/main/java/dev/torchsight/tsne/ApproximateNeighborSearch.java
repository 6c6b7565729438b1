package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.core.internal.TorchsightNative;
import dev.torchsight.core.internal.TorchsightNative.TsneHnsw;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;

/**
 * Approximate k nearest neighbours from an HNSW graph (hnswlib, native), with the parameters chosen by
 * benchmarks/tsne/knn: recall@91 of 0.99 on Fashion-MNIST (60,000 x 50) and about 5x less CPU than the
 * pure-Java JVector at equal recall.
 *
 * <p>Determinism: hnswlib's own parallel build inserts rows in whatever order the threads reach them, so the
 * graph, and the neighbours, would change from run to run. Rows are therefore inserted in an order shuffled by
 * the seed (input sorted by class would otherwise give a poorer graph), with node levels drawn from a generator
 * seeded by the seed too, in batches (native, knn.h): each batch, at most 1/8 of the graph so far, is searched
 * on {@code threads} threads in the graph as it was before the batch, then linked by per-node steps whose
 * results do not depend on the order the threads take them. The queries only read the graph. The neighbours
 * are a function of (data, k, seed) alone, whatever the thread count.
 *
 * <p>Identical rows are indexed once ({@link DuplicateRows}): each row's twins come first among its neighbours.
 * Progress is reported on the calling thread.
 */
final class ApproximateNeighborSearch implements NeighborSearch {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    /** Links per node (HNSW's M; twice as many on the base layer). */
    static final int DEGREE = 16;
    /** Candidates while inserting (HNSW's efConstruction) up to {@link #LARGE_ROWS} rows. */
    static final int EF_CONSTRUCTION = 64;
    /**
     * Candidates while inserting above {@link #LARGE_ROWS} rows: by benchmarks/tsne/knn, -37% build CPU at
     * 200,000 rows of the 50-d mixture, which keeps a 1,000,000-row search near 4 minutes on 2 threads.
     */
    static final int EF_CONSTRUCTION_LARGE = 32;
    /** Rows from which the build uses {@link #EF_CONSTRUCTION_LARGE}. */
    static final int LARGE_ROWS = 200_000;
    /** Candidates per query (HNSW's ef), at least k + 1 (the row itself comes back too). */
    static final int EF_SEARCH = 92;
    /**
     * Rows per native call: the granularity of progress reports, and while building the largest batch (batches
     * do not span calls). Part of what the graph depends on: keep it fixed.
     */
    private static final int CHUNK = 4096;

    /** Whether AUTO's fallback to the exact search was logged (once per process). */
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final long seed;

    ApproximateNeighborSearch(long seed) {
        this.seed = seed;
    }

    /**
     * Whether {@code method} searches {@code n} rows approximately. When the native library was built without
     * hnswlib, {@link NeighborMethod#AUTO} falls back to the exact search (logging it once) and
     * {@link NeighborMethod#APPROX} fails.
     *
     * @throws TorchsightException of kind {@link Kind#METHOD} for APPROX without hnswlib
     */
    static boolean chosen(NeighborMethod method, int n) {
        if (method.resolve(n) != NeighborMethod.APPROX) {
            return false;
        }
        if (TorchsightNative.tsne_hnsw_available() != 0) {
            return true;
        }
        String why = TorchsightNative.tsne_hnsw_last_error(null).getString();
        if (method == NeighborMethod.APPROX) {
            throw new TorchsightException(Kind.METHOD, method, why);
        }
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
            org.slf4j.LoggerFactory.getLogger(ApproximateNeighborSearch.class).warn("{}; using exact neighbours", why);
        }
        return false;
    }

    @Override
    public void search(Tensor x, int k, int threads, LongConsumer progress, LongPointer indices) {
        int n = (int) x.size(0);
        int d = (int) x.size(1);
        FloatPointer data = x.data_ptr_float();
        DuplicateRows groups = DuplicateRows.of(data, n, d);
        int size = groups.groups;
        int[] representative = new int[size];
        for (int g = 0; g < size; g++) {
            representative[g] = groups.representative(g);
        }
        Progress done = new Progress(progress, n, size + (long) n);
        TsneHnsw index = TorchsightNative.tsne_hnsw_create(size, d, DEGREE,
                size > LARGE_ROWS ? EF_CONSTRUCTION_LARGE : EF_CONSTRUCTION, seed);
        if (index == null || index.isNull()) {
            throw new TorchsightException(Kind.MEMORY, n, "the neighbour graph of " + n + " rows does not fit in "
                    + "memory; use fewer rows or reduce their dimension (e.g. PCA) first");
        }
        try {
            build(index, data, representative, threads, done);
            query(index, data, d, groups, representative, k, threads, done, indices);
        } finally {
            TorchsightNative.tsne_hnsw_free(index);
        }
    }

    /** Inserts one row per group, in the seeded order, CHUNK rows per call (the calls are part of the graph). */
    private void build(TsneHnsw index, FloatPointer data, int[] representative, int threads, Progress done) {
        int size = representative.length;
        int[] order = shuffled(size, seed);
        for (int i = 0; i < size; i++) {
            order[i] = representative[order[i]];
        }
        try (IntPointer rows = new IntPointer(Math.min(CHUNK, size))) {
            for (int first = 0; first < size; first += CHUNK) {
                int count = Math.min(CHUNK, size - first);
                rows.position(0).put(order, first, count);
                check(index, TorchsightNative.tsne_hnsw_add(index, data, rows, count, threads));
                done.add(count);
            }
        }
    }

    /** A Fisher-Yates shuffle of 0..n-1 from the seed. */
    static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * Queries every group's row; each row of a group gets the group's other rows first, then the rows of the
     * groups found nearest, in order, up to k.
     */
    private static void query(TsneHnsw index, FloatPointer data, int d, DuplicateRows groups, int[] representative,
                              int k, int threads, Progress done, LongPointer indices) {
        int size = groups.groups;
        // the group itself comes back too; k others then always suffice, since every group has a row
        int topK = Math.min(k + 1, size);
        int ef = Math.max(topK, EF_SEARCH);
        int[] found = new int[CHUNK * topK];
        int[] near = new int[topK];
        long[] row = new long[k];
        LongPointer out = new LongPointer(indices);  // a position of its own over the caller's memory
        int[] order = new int[size];
        try (IntPointer all = new IntPointer(size)) {
            // rows near each other one after another: the queries find the graph in cache
            check(index, TorchsightNative.tsne_hnsw_order(index, all, threads));
            all.get(order);
        }
        try (IntPointer rows = new IntPointer(Math.min(CHUNK, size));
             IntPointer labels = new IntPointer((long) Math.min(CHUNK, size) * topK)) {
            for (int first = 0; first < size; first += CHUNK) {
                int count = Math.min(CHUNK, size - first);
                rows.position(0).put(order, first, count);
                check(index, TorchsightNative.tsne_hnsw_query(index, data, rows, count, topK, ef, labels, threads));
                labels.position(0).get(found, 0, count * topK);
                long answered = 0;
                for (int c = 0; c < count; c++) {
                    int g = groups.groupOf[order[first + c]];
                    int kept = others(found, c * topK, topK, groups, g, near);
                    for (int m = groups.start[g]; m < groups.start[g + 1]; m++) {
                        int member = groups.members[m];
                        if (!fill(groups, member, near, kept, row)) {
                            // the graph returned too few groups to make k rows: scan them all (rare)
                            kept = nearestByScan(data, d, groups, representative, g, near);
                            fill(groups, member, near, kept, row);
                        }
                        out.position((long) member * k).put(row, 0, k);
                    }
                    answered += groups.size(g);
                }
                done.add(answered);
            }
        }
    }

    /** The groups of the labels found for group g, other than g, nearest first, into near; returns how many. */
    private static int others(int[] found, int offset, int topK, DuplicateRows groups, int g, int[] near) {
        int kept = 0;
        for (int j = 0; j < topK && found[offset + j] >= 0; j++) {
            int h = groups.groupOf[found[offset + j]];
            if (h != g) {
                near[kept++] = h;
            }
        }
        return kept;
    }

    /** Row {@code member}'s k neighbours: its twins, then the rows of the groups in near; false if too few. */
    private static boolean fill(DuplicateRows groups, int member, int[] near, int count, long[] row) {
        int k = row.length;
        int kept = 0;
        int own = groups.groupOf[member];
        for (int m = groups.start[own]; m < groups.start[own + 1] && kept < k; m++) {
            if (groups.members[m] != member) {
                row[kept++] = groups.members[m];
            }
        }
        for (int j = 0; j < count && kept < k; j++) {
            for (int m = groups.start[near[j]]; m < groups.start[near[j] + 1] && kept < k; m++) {
                row[kept++] = groups.members[m];
            }
        }
        return kept == k;
    }

    /** The groups nearest group g by a full scan (ties to the lower group), as many as near holds. */
    private static int nearestByScan(FloatPointer data, int dims, DuplicateRows groups, int[] representative,
                                     int g, int[] near) {
        FloatPointer view = new FloatPointer(data);
        float[] q = new float[dims];
        float[] v = new float[dims];
        view.position((long) representative[g] * dims).get(q);
        int want = near.length;
        double[] best = new double[want];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        int kept = 0;
        for (int h = 0; h < groups.groups; h++) {
            if (h == g) {
                continue;
            }
            view.position((long) representative[h] * dims).get(v);
            double s = 0;
            for (int c = 0; c < dims; c++) {
                double diff = (double) q[c] - v[c];
                s += diff * diff;
            }
            if (kept < want || s < best[want - 1]) {
                int p = Math.min(kept, want - 1);
                kept = Math.min(kept + 1, want);
                while (p > 0 && best[p - 1] > s) {
                    best[p] = best[p - 1];
                    near[p] = near[p - 1];
                    p--;
                }
                best[p] = s;
                near[p] = h;
            }
        }
        return kept;
    }

    private static void check(TsneHnsw index, int status) {
        if (status != 0) {
            throw new IllegalStateException("neighbour graph: " + TorchsightNative.tsne_hnsw_last_error(index)
                    .getString());
        }
    }

    /** Serialises progress into one non-decreasing count of rows: work units scaled to 0..n. */
    private static final class Progress {
        private final LongConsumer sink;
        private final long n;
        private final long units;
        private long done;

        Progress(LongConsumer sink, long n, long units) {
            this.sink = sink;
            this.n = n;
            this.units = units;
        }

        void add(long more) {
            done += more;
            sink.accept(done >= units ? n : (long) (n * (done / (double) units)));
        }
    }
}
