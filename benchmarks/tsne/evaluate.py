#!/usr/bin/python3
"""Scores two embeddings of the same data over the same P: the exact KL divergence (Q normalised over
all pairs) and leave-one-out 10-NN accuracy. P is scikit-learn's own (exact 91-NN on PCA-50,
perplexity 30). Usage: evaluate.py IMAGES LABELS NAME=EMBEDDING.csv ..."""
import gzip, sys
import numpy as np
from scipy import stats
from sklearn.decomposition import PCA
from sklearn.manifold._t_sne import _joint_probabilities_nn
from sklearn.neighbors import NearestNeighbors


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * d:8 + 4 * d], "big") for d in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims[0], -1)


def exact_kl(P, y):
    n = y.shape[0]
    z = 0.0
    for s in range(0, n, 1000):
        d2 = ((y[s:s + 1000, None, :] - y[None, :, :]) ** 2).sum(-1)
        w = 1.0 / (1.0 + d2)
        z += w.sum() - min(1000, n - s)  # minus the diagonal (w_ii = 1)
    P = P.tocoo()
    d2 = ((y[P.row] - y[P.col]) ** 2).sum(-1)
    q = 1.0 / (1.0 + d2) / z
    return float(np.sum(P.data * np.log(np.maximum(P.data, 1e-12) / np.maximum(q, 1e-300))))


def knn_accuracy(y, labels, k=10):
    idx = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    votes = stats.mode(labels[idx], axis=1, keepdims=False).mode
    return float(np.mean(votes == labels))


images, labels_path, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
x = read_idx(images).astype(np.float32) / 255.0
labels = read_idx(labels_path).ravel().astype(np.int64)
x50 = PCA(n_components=50, random_state=0).fit_transform(x)
k = min(x.shape[0] - 1, int(3.0 * 30 + 1))
dist = NearestNeighbors(n_neighbors=k).fit(x50).kneighbors_graph(mode="distance")
dist.data **= 2
P = _joint_probabilities_nn(dist, 30.0, 0)
for run in runs:
    name, path = run.split("=", 1)
    y = np.loadtxt(path, delimiter=",", usecols=(0, 1), skiprows=1 if open(path).readline().startswith("x") else 0)
    print(f"{name} exact_kl={exact_kl(P, y):.4f} knn10_accuracy={knn_accuracy(y, labels):.4f}")
