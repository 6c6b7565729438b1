package dev.torchsight.tsne;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;

/**
 * Approximate k nearest neighbours from an HNSW graph (JVector), parameters chosen by
 * benchmarks/tsne/knn (recall@91 about 0.99 on Fashion-MNIST 60k x 50).
 *
 * <p>Determinism: JVector's parallel build inserts rows in whatever order the threads reach them, so the graph
 * (and the neighbours) would change from run to run. The graph is therefore built on one thread, inserting
 * rows in an order shuffled by the seed (sorted input, e.g. grouped by class, would otherwise degrade the
 * graph); JVector draws node levels from its own fixed-seed generator in insertion order. The queries, which
 * only read the graph, run on {@code threads} threads. Neighbours are a function of (data, k, seed) alone.
 *
 * <p>Identical rows are indexed once ({@link DuplicateRows}): each row's twins come first among its neighbours.
 */
final class ApproximateNeighborSearch implements NeighborSearch {
    /** Maximum graph degree. */
    static final int DEGREE = 16;
    /** Candidate list size while inserting (HNSW's efConstruction). */
    static final int BEAM_WIDTH = 100;
    /** JVector's default neighbour overflow and diversity alpha. */
    private static final float OVERFLOW = 1.2f;
    private static final float ALPHA = 1.2f;
    /** Rows a query thread takes at a time, and rows between progress reports. */
    private static final int CHUNK = 256;

    private final long seed;

    ApproximateNeighborSearch(long seed) {
        this.seed = seed;
    }

    /** Candidate list size per query (HNSW's ef): at least k + 1 (the row itself comes back too). */
    static int searchWidth(int k) {
        return Math.max(k + 1, 100);
    }

    @Override
    public void search(Tensor x, int k, int threads, LongConsumer progress, LongPointer indices) {
        int n = (int) x.size(0);
        int d = (int) x.size(1);
        float[][] rows = rows(x, n, d);
        DuplicateRows groups = DuplicateRows.of(rows);
        RandomAccessVectorValues vectors = representatives(rows, groups, d);
        Progress done = new Progress(progress, n, groups.groups + (long) n);
        ImmutableGraphIndex graph = build(vectors, groups.groups, d, done);
        query(graph, vectors, groups, k, threads, done, indices);
    }

    /** The rows as heap arrays (one float[d] per row: what JVector scores, no boxing per value). */
    private static float[][] rows(Tensor x, int n, int d) {
        FloatPointer data = x.data_ptr_float();
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            data.position((long) i * d).get(rows[i]);
        }
        data.position(0);
        return rows;
    }

    /** One vector per group of identical rows; vector g is group g's. */
    private static RandomAccessVectorValues representatives(float[][] rows, DuplicateRows groups, int d) {
        VectorTypeSupport types = VectorizationProvider.getInstance().getVectorTypeSupport();
        List<VectorFloat<?>> vectors = new ArrayList<>(groups.groups);
        for (int g = 0; g < groups.groups; g++) {
            vectors.add(types.createFloatVector(rows[groups.representative(g)]));
        }
        return new ListRandomAccessVectorValues(vectors, d);
    }

    private ImmutableGraphIndex build(RandomAccessVectorValues vectors, int size, int d, Progress done) {
        int[] order = shuffled(size, seed);
        // JVector's own pools would default to process-wide ones; a private one-thread pool keeps the
        // build sequential (deterministic) and leaves global state alone
        ForkJoinPool pool = new ForkJoinPool(1);
        try (GraphIndexBuilder builder = new GraphIndexBuilder(
                BuildScoreProvider.randomAccessScoreProvider(vectors, VectorSimilarityFunction.EUCLIDEAN),
                d, DEGREE, BEAM_WIDTH, OVERFLOW, ALPHA, true, true, pool, pool)) {
            for (int i = 0; i < size; i++) {
                builder.addGraphNode(order[i], vectors.getVector(order[i]));
                if ((i + 1) % CHUNK == 0) {
                    done.add(CHUNK);
                }
            }
            done.add(size % CHUNK);
            builder.cleanup();
            return builder.getGraph();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdown();
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

    private static void query(ImmutableGraphIndex graph, RandomAccessVectorValues vectors, DuplicateRows groups,
                              int k, int threads, Progress done, LongPointer indices) {
        AtomicInteger next = new AtomicInteger();
        Worker[] workers = new Worker[Math.min(threads, Math.max(1, (groups.groups + CHUNK - 1) / CHUNK))];
        for (int t = 0; t < workers.length; t++) {
            workers[t] = new Worker(graph, vectors, groups, k, next, done, indices);
        }
        // the calling thread is one of the workers; the others are plain threads of this call only
        Thread[] started = new Thread[workers.length - 1];
        for (int t = 0; t < started.length; t++) {
            started[t] = new Thread(workers[t + 1], "torchsight-knn-" + (t + 1));
            started[t].setDaemon(true);
            started[t].start();
        }
        workers[0].run();
        boolean interrupted = false;
        for (Thread thread : started) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Worker worker : workers) {
            if (worker.failure != null) {
                throw worker.failure instanceof RuntimeException re ? re : new IllegalStateException(worker.failure);
            }
        }
    }

    /**
     * Queries chunks of groups until none are left. Each row of a group gets the group's other rows first, then
     * the rows of the groups found nearest, in order, up to k.
     */
    private static final class Worker implements Runnable {
        private final ImmutableGraphIndex graph;
        private final RandomAccessVectorValues vectors;
        private final DuplicateRows groups;
        private final int k;
        private final AtomicInteger next;
        private final Progress done;
        private final LongPointer indices;
        volatile Throwable failure;

        Worker(ImmutableGraphIndex graph, RandomAccessVectorValues vectors, DuplicateRows groups, int k,
               AtomicInteger next, Progress done, LongPointer indices) {
            this.graph = graph;
            this.vectors = vectors;
            this.groups = groups;
            this.k = k;
            this.next = next;
            this.done = done;
            this.indices = indices;
        }

        @Override
        public void run() {
            int size = groups.groups;
            // the group itself comes back too; k others always suffice, since every group has a row
            int topK = Math.min(k + 1, size);
            int width = Math.max(topK, searchWidth(k));
            int[] near = new int[topK];
            long[] row = new long[k];
            LongPointer out = new LongPointer(indices);  // a position of its own over the shared memory
            try (GraphSearcher searcher = new GraphSearcher(graph)) {
                for (int first; (first = next.getAndAdd(CHUNK)) < size; ) {
                    int last = Math.min(size, first + CHUNK);
                    long rows = 0;
                    for (int g = first; g < last; g++) {
                        DefaultSearchScoreProvider score = DefaultSearchScoreProvider.exact(vectors.getVector(g),
                                VectorSimilarityFunction.EUCLIDEAN, vectors);
                        SearchResult.NodeScore[] found = searcher.search(score, topK, width, 0f, 0f, Bits.ALL)
                                .getNodes();
                        int count = others(found, g, near);
                        for (int m = groups.start[g]; m < groups.start[g + 1]; m++) {
                            int member = groups.members[m];
                            if (!fill(member, near, count, row)) {
                                // the graph returned too few groups to make k rows: scan them all (rare)
                                count = nearestByScan(vectors, g, near);
                                fill(member, near, count, row);
                            }
                            out.position((long) member * k).put(row, 0, k);
                        }
                        rows += groups.size(g);
                    }
                    done.add(last - first + rows);
                }
            } catch (Throwable t) {
                failure = t;
                next.set(size);  // the others stop at their next chunk
            }
        }

        /** Row {@code member}'s k neighbours: its twins, then the rows of the groups in near; false if too few. */
        private boolean fill(int member, int[] near, int count, long[] row) {
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
    }

    /** The found groups other than g, nearest first, into near; returns how many. */
    static int others(SearchResult.NodeScore[] found, int g, int[] near) {
        int kept = 0;
        for (int j = 0; j < found.length && kept < near.length; j++) {
            if (found[j].node != g) {
                near[kept++] = found[j].node;
            }
        }
        return kept;
    }

    /** The groups nearest g by a full scan (ties to the lower group), as many as near holds. */
    private static int nearestByScan(RandomAccessVectorValues vectors, int g, int[] near) {
        int want = near.length;
        double[] best = new double[want];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        int kept = 0;
        VectorFloat<?> q = vectors.getVector(g);
        for (int h = 0; h < vectors.size(); h++) {
            if (h == g) {
                continue;
            }
            VectorFloat<?> v = vectors.getVector(h);
            double s = 0;
            for (int c = 0; c < q.length(); c++) {
                double diff = q.get(c) - v.get(c);
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

    /**
     * Serialises progress reports from the workers into one non-decreasing count of rows: work units (one per
     * inserted group, one per queried row) scaled to 0..n.
     */
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

        synchronized void add(long more) {
            done += more;
            sink.accept(done >= units ? n : (long) (n * (done / (double) units)));
        }
    }
}
