"""Fashion-MNIST train (60,000 x 784) -> PCA to 50 dims (float32, raw little-endian row-major) and the exact
k nearest neighbours of every row (int32, n x k, self excluded, ascending distance) as ground truth.

Usage: python3 prepare_fmnist.py OUT_DIR [k]   (Debian package dataset-fashion-mnist)
"""
import gzip
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

out = sys.argv[1]
k = int(sys.argv[2]) if len(sys.argv) > 2 else 91
with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "rb") as f:
    x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
y = PCA(n_components=50, random_state=0).fit_transform(x).astype(np.float32)
y.tofile(f"{out}/fmnist60k_pca50.f32")
nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(y)
idx = nn.kneighbors(y, return_distance=False)
# drop the point itself (the first column, unless a duplicate came first)
truth = np.array([[j for j in row if j != i][:k] for i, row in enumerate(idx)], dtype=np.int32)
truth.tofile(f"{out}/fmnist60k_pca50_knn{k}.i32")
print(y.shape, truth.shape)
