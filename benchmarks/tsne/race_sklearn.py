#!/usr/bin/python3
"""scikit-learn's Barnes-Hut TSNE on a float32 .npy (already PCA-50): perplexity 30, 1,000 iterations,
PCA initialisation, learning rate 'auto', angle 0.5, random_state 0, THREADS jobs (as
sklearn_baseline.py, minus its own PCA step). Usage: race_sklearn.py ROWS.npy OUT.npy THREADS"""
import sys, time
import numpy as np
from sklearn.manifold import TSNE

rows, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
x = np.load(rows)
tsne = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", n_iter=1000,
            method="barnes_hut", angle=0.5, random_state=0, n_jobs=threads)
y = tsne.fit_transform(x)
np.save(out, y.astype(np.float64))
print(f"sklearn wall_s={time.perf_counter() - start:.2f} kl_reported={tsne.kl_divergence_:.4f} iterations={tsne.n_iter_}")
