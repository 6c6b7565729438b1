"""Native hnswlib (Debian python3-hnswlib, the same C++ headers as libhnswlib-dev) on the same data, for scale.
Usage: python3 hnswlib_native.py DATA_DIR K THREADS M EFC EF"""
import resource
import sys
import time

import hnswlib
import numpy as np

d, k, threads, m, efc, ef = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
if d.startswith("mix:"):
    # the same kind of mixture as KnnBenchmark.mixture (not the same draws): 30 Gaussians, widths 0.5-1.5
    n = int(d[4:])
    r = np.random.default_rng(42)
    centre = r.standard_normal((30, 50)) * 3
    width = 0.5 + r.random(30)
    c = r.integers(0, 30, n)
    x = (centre[c] + width[c, None] * r.standard_normal((n, 50))).astype(np.float32)
    truth = None
else:
    x = np.fromfile(f"{d}/fmnist60k_pca50.f32", dtype=np.float32).reshape(-1, 50)
    truth = np.fromfile(f"{d}/fmnist60k_pca50_knn{k}.i32", dtype=np.int32).reshape(-1, k)
c0 = time.process_time()
t0 = time.time()
p = hnswlib.Index(space="l2", dim=50)
p.init_index(max_elements=len(x), ef_construction=efc, M=m, random_seed=1)
# build threads: BUILD_THREADS (1 = sequential, deterministic insertion order)
import os
p.add_items(x, np.arange(len(x)), num_threads=int(os.environ.get("BUILD_THREADS", threads)))
t1 = time.time()
c1 = time.process_time()
p.set_ef(ef)
labels, _ = p.knn_query(x, k=k + 1, num_threads=threads)
t2 = time.time()
c2 = time.process_time()
hit = 0
if truth is not None:
    for i in range(len(x)):
        row = [j for j in labels[i] if j != i][:k]
        hit += len(np.intersect1d(row, truth[i]))
    total = len(x) * k
else:  # 300 sampled rows against brute force
    rows = np.random.default_rng(7).integers(0, len(x), 300)
    for i in rows:
        dist = ((x - x[i]) ** 2).sum(1, dtype=np.float64)
        dist[i] = np.inf
        kth = np.partition(dist, k - 1)[k - 1]
        row = [j for j in labels[i] if j != i][:k]
        hit += int((dist[row] <= kth).sum())
    total = 300 * k
print(f"RESULT native-hnswlib n={len(x)} M={m} efC={efc} ef={ef} threads={threads} build_s={t1-t0:.1f} "
      f"query_s={t2-t1:.1f} build_cpu_s={c1-c0:.1f} query_cpu_s={c2-c1:.1f} recall={hit/total:.4f} peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss>>10}")
