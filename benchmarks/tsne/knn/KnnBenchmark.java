package dev.torchsight.tsne;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.Tensor;

/**
 * kNN recall/time benchmark: exact (NearestNeighbors) vs JVector vs hnswlib-core, one configuration per JVM
 * so that the peak RSS (VmHWM) belongs to that configuration. See run.sh and RESULTS.md.
 *
 * <pre>
 * KnnBenchmark DATA K THREADS METHOD [params]
 *   DATA:   fmnist:/dir (fmnist60k_pca50.f32 + ground truth) | mix:N (synthetic 50-d mixture, seed 42)
 *   METHOD: exact | approx (both as shipped: NearestNeighbors.search) | jvector M BEAM EF seq|par [ALPHA]
 *           | hnsw M EFC EF (hnswlib-core)
 * </pre>
 */
public final class KnnBenchmark {
    static final int D = 50;

    public static void main(String[] args) throws Exception {
        String data = args[0];
        int k = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        String method = args[3];
        float[][] x;
        int[][] truth = null;
        if (data.startsWith("fmnist:")) {
            Path dir = Path.of(data.substring(7));
            x = readFloats(dir.resolve("fmnist60k_pca50.f32"), D);
            truth = readInts(dir.resolve("fmnist60k_pca50_knn" + k + ".i32"), k);
        } else {
            x = mixture(Integer.parseInt(data.substring(4)), D, 42);
        }
        int n = x.length;
        if (method.equals("exact") || method.equals("approx")) {
            // load libtorch and torchsight's natives, and warm both paths up, outside the timings
            float[][] warm = mixture(2000, D, 1);
            shipped(warm, 30, threads, NeighborMethod.EXACT);
            shipped(warm, 30, threads, NeighborMethod.APPROX);
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long t0 = System.nanoTime();
        long c0 = os.getProcessCpuTime();
        int[][] found;
        double buildS = 0;
        double buildCpuS = 0;
        String params = String.join(" ", Arrays.copyOfRange(args, 4, args.length));
        switch (method) {
            case "exact":
            case "approx": {
                // what ships: NearestNeighbors.search (copy into libtorch, search, distances in double)
                // approx reports progress n/2 when the sequential build ends (no duplicate rows here)
                long[] buildEnd = {0, 0};
                found = shipped(x, k, threads, method.equals("exact") ? NeighborMethod.EXACT : NeighborMethod.APPROX,
                        done -> {
                            if (buildEnd[0] == 0 && done >= n / 2) {
                                buildEnd[0] = System.nanoTime();
                                buildEnd[1] = os.getProcessCpuTime();
                            }
                        });
                if (method.equals("approx")) {
                    buildS = (buildEnd[0] - t0) / 1e9;
                    buildCpuS = (buildEnd[1] - c0) / 1e9;
                }
                break;
            }
            case "jvector": {
                int m = Integer.parseInt(args[4]), beam = Integer.parseInt(args[5]), ef = Integer.parseInt(args[6]);
                boolean par = args[7].equals("par");
                float alpha = args.length > 8 ? Float.parseFloat(args[8]) : 1.2f;
                VectorTypeSupport vts = VectorizationProvider.getInstance().getVectorTypeSupport();
                List<VectorFloat<?>> vecs = new ArrayList<>(n);
                for (float[] row : x) vecs.add(vts.createFloatVector(row));
                RandomAccessVectorValues ravv = new ListRandomAccessVectorValues(vecs, D);
                ForkJoinPool pool = new ForkJoinPool(par ? threads : 1);
                GraphIndexBuilder builder = new GraphIndexBuilder(
                        BuildScoreProvider.randomAccessScoreProvider(ravv, VectorSimilarityFunction.EUCLIDEAN),
                        D, m, beam, 1.2f, alpha, true, true, pool, pool);
                ImmutableGraphIndex graph;
                if (par) {
                    graph = builder.build(ravv);
                } else {
                    // one thread, in a seeded random order: the graph is a function of (data, seed)
                    int[] order = java.util.stream.IntStream.range(0, n).toArray();
                    Random shuffle = new Random(42);
                    for (int i = n - 1; i > 0; i--) {
                        int j = shuffle.nextInt(i + 1), tmp = order[i];
                        order[i] = order[j];
                        order[j] = tmp;
                    }
                    for (int i : order) builder.addGraphNode(i, ravv.getVector(i));
                    builder.cleanup();
                    graph = builder.getGraph();
                }
                buildS = (System.nanoTime() - t0) / 1e9;
                buildCpuS = (os.getProcessCpuTime() - c0) / 1e9;
                found = new int[n][];
                AtomicInteger next = new AtomicInteger();
                Thread[] ts = new Thread[threads];
                for (int t = 0; t < threads; t++) {
                    ts[t] = new Thread(() -> {
                        try (GraphSearcher searcher = new GraphSearcher(graph)) {
                            for (int i; (i = next.getAndAdd(256)) < n; ) {
                                for (int q = i; q < Math.min(n, i + 256); q++) {
                                    var ssp = DefaultSearchScoreProvider.exact(ravv.getVector(q),
                                            VectorSimilarityFunction.EUCLIDEAN, ravv);
                                    var res = searcher.search(ssp, k + 1, ef, 0f, 0f, Bits.ALL).getNodes();
                                    int[] ids = new int[res.length];
                                    for (int j = 0; j < res.length; j++) ids[j] = res[j].node;
                                    found[q] = dropSelf(ids, q, k);
                                }
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    });
                    ts[t].start();
                }
                for (Thread t : ts) t.join();
                pool.shutdown();
                break;
            }
            case "hnsw": {
                int m = Integer.parseInt(args[4]), efc = Integer.parseInt(args[5]), ef = Integer.parseInt(args[6]);
                DistanceFunction<float[], Float> l2 = (a, b) -> {
                    float s = 0;
                    for (int i = 0; i < a.length; i++) {
                        float d = a[i] - b[i];
                        s += d * d;
                    }
                    return s;
                };
                HnswIndex<Integer, float[], Row, Float> index = HnswIndex.newBuilder(D, l2, n)
                        .withM(m).withEfConstruction(efc).withEf(ef).build();
                List<Row> rows = new ArrayList<>(n);
                for (int i = 0; i < n; i++) rows.add(new Row(i, x[i]));
                index.addAll(rows, threads, (done, max) -> { }, 10000);
                buildS = (System.nanoTime() - t0) / 1e9;
                buildCpuS = (os.getProcessCpuTime() - c0) / 1e9;
                found = new int[n][];
                AtomicInteger next = new AtomicInteger();
                Thread[] ts = new Thread[threads];
                for (int t = 0; t < threads; t++) {
                    ts[t] = new Thread(() -> {
                        for (int q; (q = next.getAndIncrement()) < n; ) {
                            List<SearchResult<Row, Float>> res = index.findNearest(x[q], k + 1);
                            int[] ids = new int[res.size()];
                            for (int j = 0; j < ids.length; j++) ids[j] = res.get(j).item().id;
                            found[q] = dropSelf(ids, q, k);
                        }
                    });
                    ts[t].start();
                }
                for (Thread t : ts) t.join();
                break;
            }
            default:
                throw new IllegalArgumentException(method);
        }
        double totalS = (System.nanoTime() - t0) / 1e9;
        double totalCpuS = (os.getProcessCpuTime() - c0) / 1e9;
        System.gc();
        long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        double recall = truth != null ? recall(found, truth, k) : sampledRecall(x, found, k, 300, threads);
        System.out.printf("RESULT data=%s n=%d k=%d threads=%d method=%s params=[%s] build_s=%.1f query_s=%.1f "
                        + "total_s=%.1f build_cpu_s=%.1f query_cpu_s=%.1f recall=%.4f heap_after_mb=%d peak_rss_mb=%d%n",
                data.replaceAll(":.*/", ":"), n, k, threads, method, params, buildS, totalS - buildS, totalS,
                buildCpuS, totalCpuS - buildCpuS, recall,
                heapMb, peakRssMb());
        if (method.equals("approx") && truth != null) {
            // the shipped search's bar on Fashion-MNIST (60,000 x 50 PCA, k = 91)
            boolean pass = recall >= 0.98;
            System.out.printf("CHECK approx recall@%d %.4f >= 0.98: %s%n", k, recall, pass ? "PASS" : "FAIL");
            if (!pass) {
                System.exit(1);
            }
        }
    }

    static final class Row implements Item<Integer, float[]> {
        final int id;
        final float[] v;

        Row(int id, float[] v) {
            this.id = id;
            this.v = v;
        }

        @Override public Integer id() { return id; }
        @Override public float[] vector() { return v; }
        @Override public int dimensions() { return v.length; }
    }

    static int[] dropSelf(int[] ids, int self, int k) {
        int[] out = new int[k];
        int o = 0;
        for (int id : ids) if (id != self && o < k) out[o++] = id;
        return Arrays.copyOf(out, o);
    }

    static int[][] shipped(float[][] x, int k, int threads, NeighborMethod method) {
        return shipped(x, k, threads, method, done -> { });
    }

    static int[][] shipped(float[][] x, int k, int threads, NeighborMethod method,
                           java.util.function.LongConsumer progress) {
        dev.torchsight.core.Threads.current();
        int n = x.length;
        float[] flat = new float[n * D];
        for (int i = 0; i < n; i++) System.arraycopy(x[i], 0, flat, i * D, D);
        try (Tensor t = Tensor.create(flat, n, D);
             NearestNeighbors knn = NearestNeighbors.search(t, k, method, Metric.EUCLIDEAN, threads, 42L, progress)) {
            long[] idx = new long[n * k];
            knn.indices.get(idx);
            int[][] out = new int[n][k];
            for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) out[i][j] = (int) idx[i * k + j];
            return out;
        }
    }

    static double recall(int[][] found, int[][] truth, int k) {
        long hit = 0;
        for (int i = 0; i < found.length; i++) {
            int[] t = truth[i].clone();
            Arrays.sort(t);
            for (int id : found[i]) if (Arrays.binarySearch(t, id) >= 0) hit++;
        }
        return hit / (double) ((long) found.length * k);
    }

    /** Recall on a fixed sample of rows, against brute force in double precision. */
    static double sampledRecall(float[][] x, int[][] found, int k, int samples, int threads) {
        Random r = new Random(7);
        long hit = 0;
        for (int s = 0; s < samples; s++) {
            int q = r.nextInt(x.length);
            double[] dist = new double[x.length];
            Integer[] order = new Integer[x.length];
            for (int i = 0; i < x.length; i++) {
                double acc = 0;
                for (int j = 0; j < D; j++) {
                    double d = x[q][j] - x[i][j];
                    acc += d * d;
                }
                dist[i] = i == q ? Double.POSITIVE_INFINITY : acc;
            }
            double[] sorted = dist.clone();
            Arrays.sort(sorted);
            double kth = sorted[k - 1];
            for (int id : found[q]) if (dist[id] <= kth) hit++;
        }
        return hit / (double) ((long) samples * k);
    }

    /** Gaussian mixture: 30 centres spread in a unit-variance cloud, clusters of differing widths. */
    static float[][] mixture(int n, int d, long seed) {
        Random r = new Random(seed);
        int c = 30;
        double[][] centre = new double[c][d];
        double[] width = new double[c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < d; j++) centre[i][j] = r.nextGaussian() * 3;
            width[i] = 0.5 + r.nextDouble();
        }
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            int ci = r.nextInt(c);
            for (int j = 0; j < d; j++) x[i][j] = (float) (centre[ci][j] + width[ci] * r.nextGaussian());
        }
        return x;
    }

    static float[][] readFloats(Path p, int d) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.capacity() / 4 / d;
        float[][] x = new float[n][d];
        var fb = b.asFloatBuffer();
        for (float[] row : x) fb.get(row);
        return x;
    }

    static int[][] readInts(Path p, int k) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        var ib = b.asIntBuffer();
        int[][] t = new int[ib.capacity() / k][k];
        for (int[] row : t) ib.get(row);
        return t;
    }

    static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
        }
        return -1;
    }
}
