#!/usr/bin/python3
"""Writes the race's inputs as float32 .npy rows plus int64 .npy labels, shared by all three programs.

  race_data.py fmnist OUT_DIR      Fashion-MNIST train (Debian's dataset-fashion-mnist), pixels / 255,
                                   PCA to 50 dims (numpy SVD of the centred data, sign fixed so each
                                   component's largest loading is positive): fmnist60k.npy; and its
                                   first 10,000 rows: fmnist10k.npy (labels: *_labels.npy)
  race_data.py mixture N OUT_DIR   a deterministic synthetic 50-d set: 20 Gaussian clusters with
                                   varying spreads and sizes (seed 20261129): mixture{N}.npy; rows are
                                   the first N of the same 1,000,000-row stream, so 100000 is a prefix
                                   of the 1M set
Existing files are kept (delete them to regenerate)."""
import gzip, os, sys
import numpy as np

FMNIST = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * d:8 + 4 * d], "big") for d in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims[0], -1)


def pca50(x):
    x = x - x.mean(axis=0)
    # 784 columns: the eigenvectors of the 784 x 784 covariance, in double.
    cov = (x.T.astype(np.float64) @ x.astype(np.float64)) / (x.shape[0] - 1)
    values, vectors = np.linalg.eigh(cov)
    top = vectors[:, np.argsort(values)[::-1][:50]]
    top *= np.sign(top[np.argmax(np.abs(top), axis=0), np.arange(50)])
    return (x.astype(np.float64) @ top).astype(np.float32)


def fmnist(out):
    rows, labels = os.path.join(out, "fmnist60k.npy"), os.path.join(out, "fmnist60k_labels.npy")
    if not os.path.exists(rows):
        x = read_idx(f"{FMNIST}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
        y = read_idx(f"{FMNIST}/train-labels-idx1-ubyte.gz").ravel().astype(np.int64)
        x50 = pca50(x)
        np.save(labels, y)
        np.save(rows, x50)
        np.save(os.path.join(out, "fmnist10k_labels.npy"), y[:10000])
        np.save(os.path.join(out, "fmnist10k.npy"), x50[:10000])
    print(rows)


CLUSTERS, DIMS, TOTAL, SEED = 20, 50, 1_000_000, 20261129


def mixture(n, out):
    rows, labels = os.path.join(out, f"mixture{n}.npy"), os.path.join(out, f"mixture{n}_labels.npy")
    if os.path.exists(rows):
        print(rows)
        return
    rng = np.random.default_rng(SEED)
    # Centres on a sphere of radius 10 (random directions) plus a shared 10-d sub-structure, so clusters
    # overlap unevenly; spreads 0.5 to 3 per coordinate; uneven weights (Dirichlet, alpha 2).
    centres = rng.standard_normal((CLUSTERS, DIMS))
    centres *= 10.0 / np.linalg.norm(centres, axis=1, keepdims=True)
    spreads = rng.uniform(0.5, 3.0, CLUSTERS)
    weights = rng.dirichlet(np.full(CLUSTERS, 2.0))
    # Each cluster is stretched along its own random 5-d subspace (anisotropy) by factors 1 to 3.
    stretch_dirs = rng.standard_normal((CLUSTERS, 5, DIMS))
    stretch = rng.uniform(1.0, 3.0, (CLUSTERS, 5))
    lab = rng.choice(CLUSTERS, size=TOTAL, p=weights)[:n]
    x = np.empty((n, DIMS), dtype=np.float32)
    chunk = 100_000
    for s in range(0, n, chunk):  # the same stream for any n: chunk by chunk from one generator
        e = min(n, s + chunk)
        block_rng = np.random.default_rng([SEED, s // chunk])
        z = block_rng.standard_normal((e - s, DIMS))
        lz = lab[s:e]
        z *= spreads[lz, None]
        q, _ = np.linalg.qr(stretch_dirs.transpose(0, 2, 1))  # (clusters, 50, 5) orthonormal
        coef = np.einsum("nd,ndk->nk", z, q[lz])
        z += np.einsum("nk,nk,ndk->nd", coef, stretch[lz] - 1.0, q[lz])
        x[s:e] = (z + centres[lz]).astype(np.float32)
    np.save(labels, lab.astype(np.int64))
    np.save(rows, x)
    print(rows)


if __name__ == "__main__":
    if sys.argv[1] == "fmnist":
        fmnist(sys.argv[2])
    elif sys.argv[1] == "mixture":
        mixture(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
