#!/usr/bin/python3
"""FIt-SNE 1.2.1 on a float32 .npy through its own Python wrapper (fast_tsne.py next to bin/fast_tsne, as
benchmarks/tsne/build_fitsne.sh lays them out): perplexity 30, 1,000 iterations, THREADS threads, and
otherwise the wrapper's defaults: PCA initialisation (scaled to std 1e-4), Annoy neighbours (50 trees),
FFT-interpolated repulsion, early exaggeration 12 for 250 iterations, learning rate max(200, N/12),
max step norm 5. seed 0 (Annoy and the PCA solver), so runs repeat.
Usage: race_fitsne.py ROWS.npy OUT.npy THREADS FITSNE_DIR. The wrapper writes data.dat/result.dat to the
working directory, so it runs in a fresh temporary one."""
import os, sys, tempfile, time
import numpy as np

rows, out, threads, fitsne_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, os.path.abspath(fitsne_dir))
from fast_tsne import fast_tsne  # noqa: E402  (FIt-SNE's own wrapper, version-checked by the binary)

start = time.perf_counter()
x = np.load(rows)
with tempfile.TemporaryDirectory(prefix="fitsne-") as work:
    here = os.getcwd()
    os.chdir(work)
    try:
        y = fast_tsne(x, perplexity=30, max_iter=1000, nthreads=threads, seed=0)
    finally:
        os.chdir(here)
np.save(out, y.astype(np.float64))
print(f"fitsne wall_s={time.perf_counter() - start:.2f} n={y.shape[0]}")
