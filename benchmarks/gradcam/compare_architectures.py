#!/usr/bin/python3
"""torchsight's CAMs against pytorch-grad-cam on torchvision architectures (random seeded weights; none
can be downloaded here), through the CLI exactly as a user runs it: `torchsight gradcam --method NAME
--save-maps`, the saved .npy maps against pytorch-grad-cam's maps for the same image tensors.

Needs Debian's python3-torch/torchvision/opencv, pytorch-grad-cam's source (github.com/jacobgil/
pytorch-grad-cam, commit 084273b) and the ttach/tqdm stand-ins in src/test/resources/cam/pgc_stubs, and
the CLI jar (mvn -B -q package -DskipTests). Usage, from the repository root:
    benchmarks/gradcam/compare_architectures.py --pgc /path/to/pytorch-grad-cam [--out target/arch] [--all-methods]
Prints one line per case with the max |difference| of the normalised maps, and exits 1 if any is >= 1e-3.
"""
import argparse
import os
import subprocess
import sys

import cv2
import numpy as np
import torch
import torchvision

ap = argparse.ArgumentParser()
ap.add_argument("--pgc", default="/tmp/pgc")
ap.add_argument("--out", default="target/arch")
ap.add_argument("--jar", default="target/torchsight.jar")
ap.add_argument("--all-methods", action="store_true", help="every method on ResNet-34 as well")
ap.add_argument("--only", default=None, help="comma-separated architecture names")
args = ap.parse_args()
sys.path[:0] = [os.path.join(os.path.dirname(__file__), "../../src/test/resources/cam/pgc_stubs"), args.pgc]
import pytorch_grad_cam as pgc  # noqa: E402
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget  # noqa: E402

torch.set_num_threads(2)
os.makedirs(args.out, exist_ok=True)
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)

# architecture, layer, export ("script" or "trace"), note
CASES = [
    ("resnet50", "layer4", "script", ""),
    ("resnet50", "layer4", "trace", ""),
    ("resnet50", "layer4.2.bn3", "script", "out += identity after it"),
    ("vgg16", "features.28", "script", "ReLU(inplace=True) after it"),
    ("vgg16", "features.29", "script", "the in-place ReLU itself"),
    ("densenet121", "features.norm5", "script", "F.relu(inplace=True) after it"),
    ("mobilenet_v2", "features.18", "script", ""),
    ("efficientnet_b0", "features.8", "script", ""),
    ("convnext_tiny", "features.7", "script", ""),
    ("regnet_y_400mf", "trunk_output", "script", ""),
    ("resnext50_32x4d", "layer4", "trace", ""),
    ("squeezenet1_1", "features.12", "script", ""),
    ("shufflenet_v2_x1_0", "conv5", "script", ""),
    ("mnasnet1_0", "layers.16", "script", ""),
]
METHODS = {
    "gradcam": pgc.GradCAM, "hirescam": pgc.HiResCAM, "gradcam-elementwise": pgc.GradCAMElementWise,
    "gradcam++": pgc.GradCAMPlusPlus, "xgradcam": pgc.XGradCAM, "layercam": pgc.LayerCAM,
    "eigencam": pgc.EigenCAM, "eigengradcam": pgc.EigenGradCAM, "scorecam": pgc.ScoreCAM,
    "ablationcam": pgc.AblationCAM,
}


def images(seed, n=2, size=224):
    """Smooth random colour images (PNG, exact size: the CLI's resize is then a no-op)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        small = rng.uniform(0, 255, (7, 7, 3)).astype(np.float32)
        img = cv2.resize(small, (size, size), interpolation=cv2.INTER_CUBIC)
        img = np.clip(img + rng.normal(0, 12, img.shape), 0, 255).astype(np.uint8)
        out.append(img)  # BGR, as cv2 writes it
    return out


def tensor_of(bgr_images):
    rgb = [im[:, :, ::-1].astype(np.float32) / 255.0 for im in bgr_images]
    x = np.stack([(im - MEAN) / STD for im in rgb]).transpose(0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def run_cli(model_path, layer, method, image_dir, out_dir, extra=()):
    cmd = ["java", "-jar", args.jar, "gradcam", "--model", model_path, "--layer", layer, "--image", image_dir,
           "--out", out_dir, "--method", method, "--save-maps", "--quiet", "--batch-size", "2", *extra]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(" ".join(cmd) + ": " + (r.stderr or r.stdout).strip())


def ours(out_dir, names, method_suffix=""):
    return np.stack([np.load(os.path.join(out_dir, n + method_suffix + ".cam.npy")) for n in names])


def compare(arch, layer, export, note, methods):
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None).eval()
    for p in model.parameters():
        p.requires_grad_(True)
    tag = f"{arch}_{export}"
    path = os.path.join(args.out, tag + ".pt")
    imgs = images(hash(arch) % 1000)
    x = tensor_of(imgs)
    if not os.path.exists(path):
        with torch.no_grad():
            scripted = torch.jit.script(model) if export == "script" else torch.jit.trace(model, x[:1])
        scripted.save(path)
    image_dir = os.path.join(args.out, tag + "_images")
    os.makedirs(image_dir, exist_ok=True)
    names = []
    for i, im in enumerate(imgs):
        names.append(f"img{i}.png")
        cv2.imwrite(os.path.join(image_dir, names[-1]), im)
    module = dict(model.named_modules())[layer]
    worst = 0.0
    for m in methods:
        cam = METHODS[m](model=model, target_layers=[module])
        if m in ("scorecam", "ablationcam"):
            cam.batch_size = 32
        expected = cam(input_tensor=x.clone(), targets=None)
        out_dir = os.path.join(args.out, f"{tag}_{layer}_{m}")
        run_cli(path, layer, m, image_dir, out_dir)
        got = ours(out_dir, names)
        diff = float(np.abs(got - expected).max())
        expected3 = cam(input_tensor=x.clone(), targets=[ClassifierOutputTarget(3)] * len(names))
        run_cli(path, layer, m, image_dir, out_dir + "_class3", ["--class", "3"])
        diff3 = float(np.abs(ours(out_dir + "_class3", names) - expected3).max())
        print(f"{arch:20s} {export:6s} {layer:16s} {m:20s} top-1 {diff:.2e}  class 3 {diff3:.2e}  {note}", flush=True)
        worst = max(worst, diff, diff3)
    return worst


worst = 0.0
only = set(args.only.split(",")) if args.only else None
for arch, layer, export, note in CASES:
    if only and arch not in only:
        continue
    worst = max(worst, compare(arch, layer, export, note, ["gradcam"]))
if args.all_methods:
    worst = max(worst, compare("resnet34", "layer4", "script", "every method", list(METHODS)))
print(f"worst max |difference|: {worst:.2e} ({'PASS' if worst < 1e-3 else 'FAIL'} at 1e-3)")
sys.exit(0 if worst < 1e-3 else 1)
