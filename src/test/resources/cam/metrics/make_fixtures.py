#!/usr/bin/python3
"""Golden fixtures for the faithfulness metrics, made with pytorch-grad-cam's own metric classes.

Getting pytorch-grad-cam
    git clone https://github.com/jacobgil/pytorch-grad-cam /tmp/pgc && git -C /tmp/pgc checkout 084273b
    Used from its source tree; ../pgc_stubs stands in for ttach and tqdm (see ../make_fixtures.py).

Running
    Debian's python3-torch (1.13), python3-scipy and python3-opencv; scikit-image for the SSIM reference
    (optional: without it ssim is left out of similarity.json), e.g. installed into a folder of its own
    and put on PYTHONPATH:
        /usr/bin/python3 -m pip install --no-deps --target /tmp/skim scikit-image lazy_loader
        PYTHONPATH=/tmp/skim /usr/bin/python3 src/test/resources/cam/metrics/make_fixtures.py [--pgc /tmp/pgc]
    Seeded (numpy default_rng(7)) and single-threaded; a rerun writes the same numbers.

What is made (all float32 unless said)
    images.npy        2 x 3 x 12 x 10 normal noise (non-square, so a transposed map would show)
    weights.npy       2 x 3 x 12 x 10: the linear model's weights, logits[n, k] = sum(weights[k] * images[n])
    maps.npy          2 x 12 x 10 maps in [0, 1] without ties (a bump, a ramp, a little noise)
    logits.npy        2 x 2, the model's logits on images.npy
    random_mask.npy   12 x 10, 1 = kept, 0 = removed (about 45 %, borders and corners included)
    imputed_random.npy  3 x 12 x 10: pgc's NoisyLinearImputer(noise=0) on images[0] with random_mask
    large_image.npy, large_mask.npy, large_imputed.npy   the same at 3 x 48 x 40 with two removed blobs,
                      scattered pixels and the last column removed (about 1000 unknowns)
    road_masks.npy    2 images x 2 orders (MoRF, LeRF) x 9 percentiles x 12 x 10: the binary masks pgc's
                      RemoveMostRelevantFirst / RemoveLeastRelevantFirst handed to the imputer
    road_morf.npy, road_lerf.npy   2 x 9 (float32): pgc's score changes per percentile, noise 0, with
                      targets ClassifierOutputSoftmaxTarget(1) for image 0 and ClassifierOutputTarget(0)
                      for image 1 (the percentiles 10..90 of ROADMostRelevantFirstAverage)
    road.json         the same averages and ROADCombined, as pgc's averaging classes return them
    cam_mult.npy      2 (float32): CamMultImageConfidenceChange with the same targets
    similarity_maps.npy  2 x 16 x 16: two maps with ties (values rounded to 0.01)
    similarity.npy    float64 [spearman, ssim]: scipy.stats.spearmanr's correlation of the two maps and
                      scikit-image's structural_similarity(a, b, data_range=1) on them as float64 (NaN when
                      scikit-image is absent)

Code here is ours; the numbers come from pytorch-grad-cam's, scipy's and scikit-image's own functions.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--pgc", default="/tmp/pgc", help="pytorch-grad-cam source tree (commit 084273b)")
ARGS = PARSER.parse_args()
sys.path[0:0] = [os.path.join(HERE, "..", "pgc_stubs"), os.path.abspath(ARGS.pgc)]

import numpy as np  # noqa: E402
import scipy.stats  # noqa: E402
import torch  # noqa: E402

from pytorch_grad_cam.metrics.cam_mult_image import CamMultImageConfidenceChange  # noqa: E402
from pytorch_grad_cam.metrics.perturbation_confidence import (AveragerAcrossThresholds,  # noqa: E402
                                                               PerturbationConfidenceMetric,
                                                               RemoveLeastRelevantFirst, RemoveMostRelevantFirst)
from pytorch_grad_cam.metrics.road import NoisyLinearImputer  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget, ClassifierOutputTarget  # noqa: E402

torch.set_num_threads(1)
RNG = np.random.default_rng(7)
C, H, W = 3, 12, 10
PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90]


def save(name, array, dtype=np.float32):
    array = np.ascontiguousarray(np.asarray(array, dtype=dtype))
    assert np.isfinite(array).all(), name
    np.save(os.path.join(HERE, name), array)
    return array


class Linear(torch.nn.Module):
    """logits[n, k] = sum(weights[k] * x[n]): the Java test builds the same model as TorchScript."""

    def __init__(self, weights):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.from_numpy(weights), requires_grad=False)

    def forward(self, x):
        return (x.unsqueeze(1) * self.weight.unsqueeze(0)).sum(dim=(2, 3, 4))


class Recording:
    """Wraps pgc's imputer and keeps the binary masks it is given."""

    def __init__(self, imputer):
        self.imputer = imputer
        self.masks = []

    def __call__(self, img, mask):
        self.masks.append(mask.numpy().copy())
        return self.imputer(img, mask)


images = save("images.npy", RNG.normal(size=(2, C, H, W)))
weights = save("weights.npy", 0.05 * RNG.normal(size=(2, C, H, W)))
yy, xx = np.mgrid[0:H, 0:W]
bump = np.exp(-((yy - 4.0) ** 2 + (xx - 6.0) ** 2) / (2 * 2.5 ** 2))
ramp = (yy * W + xx) / (H * W)
maps = np.stack([0.8 * bump + 0.15 * ramp, 0.5 * (1 - bump) + 0.4 * ramp[::-1, :]])
maps = maps + 0.01 * RNG.random(maps.shape)
maps = (maps - maps.min(axis=(1, 2), keepdims=True)) / np.ptp(maps, axis=(1, 2), keepdims=True)
maps = save("maps.npy", maps)
assert all(len(np.unique(m)) == m.size for m in maps), "maps without ties"
model = Linear(weights).eval()
x = torch.from_numpy(images)
with torch.no_grad():
    save("logits.npy", model(x).numpy())

# 1. The imputation itself, noise off.
mask = (RNG.random((H, W)) > 0.45).astype(np.float32)
mask[0, 0] = mask[H - 1, W - 1] = mask[0, W - 1] = 0  # corners removed
mask[5, :] = 0  # a whole removed row, touching both borders
save("random_mask.npy", mask)
imputed = NoisyLinearImputer(noise=0.0)(torch.from_numpy(images[0]), torch.from_numpy(mask))
save("imputed_random.npy", imputed.numpy())
# A larger case, so the Java solver's nested dissection really cuts: two removed blobs and scattered pixels.
large = save("large_image.npy", RNG.normal(size=(3, 48, 40)))
ly, lx = np.mgrid[0:48, 0:40]
removed = ((ly - 15) ** 2 + (lx - 12) ** 2 < 11 ** 2) | ((ly - 36) ** 2 / 2 + (lx - 30) ** 2 < 9 ** 2) \
    | (RNG.random((48, 40)) < 0.2) | (lx == 39)
large_mask = save("large_mask.npy", (~removed).astype(np.float32))
large_imputed = NoisyLinearImputer(noise=0.0)(torch.from_numpy(large), torch.from_numpy(large_mask))
save("large_imputed.npy", large_imputed.numpy())

# 2. ROAD through pgc's metric classes, noise off; the masks they made are recorded.
targets = [ClassifierOutputSoftmaxTarget(1), ClassifierOutputTarget(0)]
cams = maps.astype(np.float32)
results = {}
masks = np.zeros((2, 2, len(PERCENTILES), H, W), np.float32)
for order, (name, removal) in enumerate([("morf", RemoveMostRelevantFirst), ("lerf", RemoveLeastRelevantFirst)]):
    per = []
    for j, p in enumerate(PERCENTILES):
        recording = Recording(NoisyLinearImputer(noise=0.0))
        metric = PerturbationConfidenceMetric(removal(p, recording))
        per.append(metric(x, cams, targets, model))
        for i in range(2):
            masks[i, order, j] = recording.masks[i]
    per = np.stack(per, axis=1)  # images x percentiles
    save(f"road_{name}.npy", per)
    averaged = AveragerAcrossThresholds(
        lambda p, removal=removal: PerturbationConfidenceMetric(removal(p, NoisyLinearImputer(noise=0.0))),
        PERCENTILES)(x, cams, targets, model)
    assert np.allclose(averaged, per.mean(axis=1), atol=1e-6)
    results[name + "_average"] = [float(v) for v in averaged]
save("road_masks.npy", masks)
results["combined"] = [(lerf - morf) / 2 for lerf, morf in zip(results["lerf_average"], results["morf_average"])]
results["percentiles"] = PERCENTILES
with open(os.path.join(HERE, "road.json"), "w") as f:
    json.dump(results, f, indent=1)

# 3. The confidence change when the image is multiplied by the map.
save("cam_mult.npy", CamMultImageConfidenceChange()(x, cams, targets, model).reshape(-1))

# 4. Map similarity references (on the float32 maps the Java test reads).
a = np.clip(RNG.normal(0.3, 0.3, size=(16, 16)), 0, 1)
b = np.clip(0.6 * a + RNG.normal(0.1, 0.25, size=(16, 16)), 0, 1)
pair = save("similarity_maps.npy", np.round(np.stack([a, b]), 2))  # rounded: ties
a64, b64 = pair.astype(np.float64)
similarity = {"spearman": float(scipy.stats.spearmanr(a64.reshape(-1), b64.reshape(-1)).correlation),
              "ssim": float("nan")}
try:
    from skimage.metrics import structural_similarity
    similarity["ssim"] = float(structural_similarity(a64, b64, data_range=1.0))
except ImportError:
    print("scikit-image not found: no SSIM reference (NaN)", file=sys.stderr)
np.save(os.path.join(HERE, "similarity.npy"), np.array([similarity["spearman"], similarity["ssim"]], np.float64))
print(json.dumps(similarity), json.dumps(results))
