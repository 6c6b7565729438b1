#!/usr/bin/python3
"""Scores embeddings of one data set over one common P: the exact KL divergence KL(P || Q) and
leave-one-out 10-NN accuracy of the labels in the embedding.

P is evaluate.py's (scikit-learn's own): exact k = min(N-1, 91) nearest neighbours in the 50-d rows,
squared Euclidean distances, scikit-learn's _joint_probabilities_nn at perplexity 30. The neighbours are
found by scikit-learn's NearestNeighbors as there; P is cached next to the rows as ROWS.P.npz. Above EXACT_P_MAX
rows (200,000) it is computed only with RACE_EXACT_P=1: the brute force is quadratic, 49 s at 60,000 rows
on the loaded 2-core build machine, so hours at 1,000,000; without it only the 10-NN accuracy is printed.

Q normalisation Z = sum over i != j of 1 / (1 + |y_i - y_j|^2): exact (all N(N-1) pairs) up to
EXACT_Z_MAX rows; above it estimated from the exact row sums of a uniform sample of SAMPLE_ROWS rows,
Z ~ N * mean(row sum), printed with the standard error it gives the KL (se(Z) / Z).
Usage: race_eval.py ROWS.npy LABELS.npy THREADS NAME=EMBEDDING(.npy|.csv) ..."""
import os, sys, time
import numpy as np
import scipy.sparse as sp
import torch
from scipy import stats
from sklearn.manifold._t_sne import _joint_probabilities_nn
from sklearn.neighbors import NearestNeighbors

PERPLEXITY = 30.0
EXACT_P_MAX = int(os.environ.get("EXACT_P_MAX", 200_000))
EXACT_Z_MAX = int(os.environ.get("EXACT_Z_MAX", 200_000))
SAMPLE_ROWS = int(os.environ.get("SAMPLE_ROWS", 20_000))


def common_p(rows_path, x, threads):
    cache = rows_path[:-4] + ".P.npz"
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(rows_path):
        return sp.load_npz(cache).tocsr()
    n = x.shape[0]
    k = min(n - 1, int(3.0 * PERPLEXITY + 1))
    if n > EXACT_P_MAX and os.environ.get("RACE_EXACT_P") != "1":
        return None
    t0 = time.perf_counter()
    dist = NearestNeighbors(n_neighbors=k, n_jobs=threads).fit(x).kneighbors_graph(mode="distance")
    dist.data **= 2
    P = _joint_probabilities_nn(dist, PERPLEXITY, 0).tocsr()
    sp.save_npz(cache, P)
    print(f"common P: exact {k}-NN + perplexity {PERPLEXITY:g} over {n} rows in "
          f"{time.perf_counter() - t0:.1f} s (cached in {cache})")
    return P


def row_sums(y, rows):
    """Sum over j != i of 1 / (1 + |y_i - y_j|^2) for each i in rows (float64)."""
    yt = torch.from_numpy(y)
    out = np.empty(len(rows))
    b = max(1, 2_000_000 // y.shape[0] * 16)
    for s in range(0, len(rows), b):
        r = torch.from_numpy(rows[s:s + b])
        d2 = (yt[r, None, 0] - yt[None, :, 0]).square_().add_((yt[r, None, 1] - yt[None, :, 1]).square_())
        out[s:s + b] = (1.0 / (1.0 + d2)).sum(1).numpy() - 1.0  # minus w_ii = 1
    return out


def normalisation(y, rng):
    n = y.shape[0]
    if n <= EXACT_Z_MAX:
        return row_sums(y, np.arange(n)).sum(), 0.0, "exact Z over all pairs"
    rows = rng.choice(n, size=SAMPLE_ROWS, replace=False)
    s = row_sums(y, rows)
    z = n * s.mean()
    se = n * s.std(ddof=1) / np.sqrt(len(rows)) * np.sqrt(1 - len(rows) / n)
    return z, se, f"Z estimated from the exact row sums of {len(rows)} uniformly sampled rows"


def kl(P, y, z):
    P = P.tocoo()
    total = 0.0
    for s in range(0, P.nnz, 10_000_000):  # in slices: P has ~140M entries at 1M rows
        i, j, p = P.row[s:s + 10_000_000], P.col[s:s + 10_000_000], P.data[s:s + 10_000_000]
        q = 1.0 / (1.0 + ((y[i] - y[j]) ** 2).sum(-1)) / z
        total += float(np.sum(p * np.log(np.maximum(p, 1e-12) / np.maximum(q, 1e-300))))
    return total


def knn_accuracy(y, labels, k=10):
    idx = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    votes = stats.mode(labels[idx], axis=1, keepdims=False).mode
    return float(np.mean(votes == labels))


def load_embedding(path):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float64)
    skip = 1 if not open(path).readline()[:1].lstrip("-").replace(".", "").isdigit() else 0
    return np.loadtxt(path, delimiter=",", usecols=(0, 1), skiprows=skip)


def main():
    rows_path, labels_path, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    torch.set_num_threads(threads)
    x = np.load(rows_path)
    labels = np.load(labels_path)
    P = common_p(rows_path, x, threads)
    if P is None:
        print(f"exact KL skipped: the common P needs the exact {min(x.shape[0] - 1, 91)}-NN of all {x.shape[0]} rows "
              f"(scikit-learn's brute force, quadratic: hours at 1,000,000 rows on 2 cores); RACE_EXACT_P=1 "
              f"computes and caches it")
    for run in runs:
        name, path = run.split("=", 1)
        y = load_embedding(path)
        if y.shape[0] != x.shape[0]:
            print(f"{name}: {y.shape[0]} rows, expected {x.shape[0]}; skipped")
            continue
        text = ""
        if P is not None:
            z, se, how = normalisation(y, np.random.default_rng(0))
            err = f" (+- {se / z:.4f}, one standard error; {how})" if se > 0 else f" ({how})"
            text = f" exact_kl={kl(P, y, z):.4f}{err}"
        print(f"{name}{text} knn10_accuracy={knn_accuracy(y, labels):.4f}", flush=True)


if __name__ == "__main__":
    main()
