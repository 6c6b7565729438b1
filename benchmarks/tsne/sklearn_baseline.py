#!/usr/bin/python3
"""scikit-learn's TSNE on the 10,000 Fashion-MNIST test images (PCA-50), the baseline torchsight is
measured against. Writes the embedding as CSV and prints wall time. Needs Debian's python3-sklearn."""
import gzip, sys, time
import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[o:o + 4], "big") for o in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows * cols)

images, out_csv, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 2
x = read_idx_images(images).astype(np.float32) / 255.0
start = time.perf_counter()
x50 = PCA(n_components=50, random_state=0).fit_transform(x)
tsne = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", n_iter=1000,
            method="barnes_hut", angle=0.5, random_state=0, n_jobs=threads)
y = tsne.fit_transform(x50)
elapsed = time.perf_counter() - start
np.savetxt(out_csv, y, delimiter=",", fmt="%.8g")
print(f"sklearn wall_s={elapsed:.2f} kl_reported={tsne.kl_divergence_:.4f} iterations={tsne.n_iter_}")
