#!/usr/bin/python3
"""Times pytorch-grad-cam's perturbation CAMs (ScoreCAM and AblationCAM, batch size 32) on a TorchScript
ResNet-34 at layer4, one image per call, and saves their maps for a comparison with torchsight
(benchmarks/gradcam/compare_perturbation.sh runs both).

pytorch-grad-cam needs an nn.Module: torchvision's resnet34 is built here and given the scripted model's
state_dict, so its weights are the ones torchsight runs (the two models' logits are checked to agree).

Inputs: seeded smooth synthetic images (7x7 uniform noise upsampled bicubically to 224x224, plus a colour
ramp), ImageNet-normalised, in OUT/inputs.npy (N x 3 x 224 x 224 float32). Each image's target is the
eager model's top-1 class (OUT/classes.npy, int64), passed explicitly so both sides explain the same class.

Timing: one process per method and image range; before the timed calls, two plain no-grad forward passes
of 32 images (the Java side warms up the same way). For each image it writes OUT/pgc_<method>_<i>.npy
(224 x 224, the map as pytorch-grad-cam returns it), and prints one line:
  pgc <method> images <k> seconds_per_image <wall> cpu_seconds_per_image <cpu> peak_rss_mb <ru_maxrss> threads <t>

Usage: pgc_perturbation.py MODEL.pt OUT_DIR --make-inputs [--images 2]
       pgc_perturbation.py MODEL.pt OUT_DIR --method scorecam|ablationcam [--start 0] [--count all]
       pgc_perturbation.py MODEL.pt OUT_DIR            (inputs if missing, then both methods on every image)
Options: --threads (default 2: torch.set_num_threads), --size (224), --seed (0).
Environment: PGC_DIR (pytorch-grad-cam source, default /tmp/pgc; commit 084273b), PGC_STUBS (ttach/tqdm
stand-ins, default the repository's src/test/resources/cam/pgc_stubs).
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
METHODS = ("scorecam", "ablationcam")


def synthetic_images(count, size, seed):
    """Smooth images in [0, 1] (7x7 noise upsampled bicubically, plus a per-image colour ramp), normalised."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(count, 3, 7, 7, generator=g)
    smooth = F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False)
    ramp = torch.linspace(0, 1, size).view(1, 1, 1, size) * torch.rand(count, 3, 1, 1, generator=g)
    images = (0.7 * smooth + 0.3 * ramp).clamp(0, 1)
    return ((images - MEAN) / STD).contiguous()


def eager_resnet34(scripted_path):
    """torchvision's resnet34 with the scripted model's weights, and the scripted model itself."""
    scripted = torch.jit.load(scripted_path, map_location="cpu").eval()
    model = torchvision.models.resnet34(weights=None).eval()
    model.load_state_dict(scripted.state_dict(), strict=True)
    return model, scripted


def make_inputs(model, scripted, out, images, size, seed):
    x = synthetic_images(images, size, seed)
    with torch.no_grad():
        logits = model(x)
        diff = float((logits - scripted(x)).abs().max())
    if diff > 1e-3:
        raise SystemExit("eager and scripted logits differ by %g: the weights did not carry over" % diff)
    classes = logits.argmax(1).numpy().astype(np.int64)
    np.save(os.path.join(out, "inputs.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, "classes.npy"), classes)
    with open(os.path.join(out, "inputs.json"), "w") as f:
        json.dump({"images": images, "size": size, "seed": seed, "classes": classes.tolist(),
                   "eager_vs_scripted_max_abs_logit_diff": diff}, f)
    print("wrote %s/inputs.npy (%d x 3 x %d x %d), top-1 classes %s, eager vs scripted logits max diff %.1e"
          % (out, images, size, size, classes.tolist(), diff), flush=True)


def time_method(model, method, x, classes, start, count, out, size):
    sys.path.insert(0, os.environ.get("PGC_DIR", "/tmp/pgc"))
    sys.path.insert(0, os.environ.get("PGC_STUBS", os.path.join(REPO, "src/test/resources/cam/pgc_stubs")))
    from pytorch_grad_cam import AblationCAM, ScoreCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    layers = [model.layer4]
    if method == "scorecam":
        cam = ScoreCAM(model=model, target_layers=layers)
        cam.batch_size = 32
    else:
        cam = AblationCAM(model=model, target_layers=layers, batch_size=32)
    with torch.no_grad():  # the same warm-up as the Java side: two plain forward passes of 32 images
        warm = torch.randn(32, 3, size, size, generator=torch.Generator().manual_seed(0))
        model(warm)
        model(warm)
    wall = cpu = 0.0
    with cam:
        for i in range(start, start + count):
            w0, c0 = time.perf_counter(), time.process_time()
            grayscale = cam(input_tensor=x[i:i + 1], targets=[ClassifierOutputTarget(int(classes[i]))])
            wall += time.perf_counter() - w0
            cpu += time.process_time() - c0
            np.save(os.path.join(out, "pgc_%s_%d.npy" % (method, i)), grayscale[0].astype(np.float32))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kilobytes
    print("pgc %s images %d seconds_per_image %.3f cpu_seconds_per_image %.3f peak_rss_mb %.0f threads %d" % (
        method, count, wall / count, cpu / count, peak, torch.get_num_threads()), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--make-inputs", action="store_true")
    p.add_argument("--images", type=int, default=2)
    p.add_argument("--method", choices=METHODS)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    model, scripted = eager_resnet34(a.model)
    inputs = os.path.join(a.out, "inputs.npy")
    if a.make_inputs or not os.path.exists(inputs):
        make_inputs(model, scripted, a.out, a.images, a.size, a.seed)
        if a.make_inputs:
            return
    x = torch.from_numpy(np.load(inputs))
    classes = np.load(os.path.join(a.out, "classes.npy"))
    count = a.count if a.count is not None else len(x) - a.start
    for method in [a.method] if a.method else METHODS:
        time_method(model, method, x, classes, a.start, count, a.out, x.shape[-1])


if __name__ == "__main__":
    main()
