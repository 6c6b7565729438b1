#!/usr/bin/python3
"""Golden CAM fixtures made with pytorch-grad-cam itself, so the Java CAM methods can be tested against it.

Getting pytorch-grad-cam
    git clone https://github.com/jacobgil/pytorch-grad-cam /tmp/pgc && git -C /tmp/pgc checkout 084273b
    (the fixtures were made at commit 084273b, "fix: use NotImplementedError instead of generic Exception").
    It is used from its source tree, not installed. Its two small dependencies that Debian does not package,
    ttach (test-time augmentation) and tqdm (progress bars), are replaced by the stand-ins in pgc_stubs/; the
    ttach stand-in implements only Compose, HorizontalFlip and Multiply, which is all aug_smooth uses.

Running
    Needs Debian's python3-torch (1.13), python3-torchvision, python3-opencv, python3-sklearn, python3-scipy
    and python3-matplotlib (pytorch_grad_cam.utils.image imports it). From any folder:
        /usr/bin/python3 src/test/resources/cam/make_fixtures.py [--pgc /tmp/pgc]
    Everything is written next to this script. The run is seeded and single-threaded; a rerun rewrites
    the same numbers (the .pt files may differ in bytes, not in weights). FIXTURES_PART=1, 2 or 3 in the
    environment runs only that part (without rewriting meta.json).

What is made (README.md lists every file)
 1. The small ResNet of ../gradcam/ (its weights are read from ../gradcam/small_resnet_scripted.pt into the
    eager module defined below) on ../gradcam/inputs.npy (4 images, 3x64x64): every pytorch-grad-cam method at
    `layer4`, each run once on the whole 4-image batch, for the top-1 class (targets=None) and for class 3,
    and again at `layer3` for the top-1 class (FullGrad takes no layer).
    Plus GradCAM variants (two layers, eigen_smooth, aug_smooth, softmax target, one target per image), and
    the SVD vectors EigenCAM and EigenGradCAM used (numpy.linalg.svd, full_matrices=True, float32).
 2. Four tiny CNNs whose tapped layer's output is changed in place by the parent afterwards, saved scripted
    and traced, with GradCAM goldens in two semantics (see "In-place layers" below).
 3. A tiny ViT (scripted) with a GradCAM golden at blocks.1.norm1 through pytorch-grad-cam's ViT reshape.

In-place layers: what pytorch-grad-cam sees on CPU (checked by this script, torch 1.13; the numbers are in
inplace_layers.json under "observed")
    pytorch-grad-cam's forward hook stores `output.cpu().detach()`. On CPU, .cpu() is the same tensor and
    .detach() shares its storage, so the stored activation is an alias: after the forward pass it holds the
    FINAL values, after every in-place change the parent made (inplace_add: relu(bn + identity);
    inplace_relu_*: relu(output)), not the module's output.
    Its gradient hook is registered (output.register_hook) in the forward hook, before the in-place op. In
    torch 1.13 such a hook stays on the autograd node that produced the module output, so it receives the
    gradient with respect to the MODULE OUTPUT (pre-in-place value), not with respect to the final values.
    For a ReLU applied in place this is the final-value gradient times the mask (output > 0); for
    `out += identity; relu_(out)` it is also the post-ReLU gradient times the ReLU mask.
    So golden_<name>_gradcam.npy mixes final activations with module-output gradients (what
    pytorch-grad-cam returns), and golden_<name>_gradcam_moduleoutput.npy is GradCAM of the module output
    itself (activations and gradients both of the module output; made by a second forward hook, registered
    after pytorch-grad-cam's, that hands the parent a clone, so the in-place op never touches the tensor
    pytorch-grad-cam holds).

Code here is ours; the CAM numbers come from pytorch-grad-cam's own classes.
"""
import argparse
import functools
import json
import os
import subprocess
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.dont_write_bytecode = True  # keep __pycache__ out of pgc_stubs/

HERE = os.path.dirname(os.path.abspath(__file__))
PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--pgc", default="/tmp/pgc", help="pytorch-grad-cam source tree (commit 084273b)")
ARGS = PARSER.parse_args()
sys.path[0:0] = [os.path.join(HERE, "pgc_stubs"), os.path.abspath(ARGS.pgc)]

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from collections import OrderedDict  # noqa: E402

import pytorch_grad_cam as pgc  # noqa: E402
from pytorch_grad_cam.activations_and_gradients import ActivationsAndGradients  # noqa: E402
from pytorch_grad_cam.utils.model_targets import (ClassifierOutputSoftmaxTarget,  # noqa: E402
                                                  ClassifierOutputTarget)
from pytorch_grad_cam.utils.reshape_transforms import vit_reshape_transform  # noqa: E402
from pytorch_grad_cam.utils.image import scale_cam_image  # noqa: E402
from pytorch_grad_cam.utils.svd_on_activations import get_2d_projection  # noqa: E402

assert os.path.dirname(pgc.__file__) == os.path.join(os.path.abspath(ARGS.pgc), "pytorch_grad_cam"), pgc.__file__
torch.set_num_threads(1)
GRADCAM_DIR = os.path.join(HERE, "..", "gradcam")
PGC_COMMIT = "084273b"
META = {"pytorch_grad_cam_commit": None, "torch": torch.__version__, "numpy": np.__version__}


def pgc_commit():
    try:
        return subprocess.run(["git", "-C", ARGS.pgc, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def save(name, array, dtype=np.float32):
    array = np.ascontiguousarray(np.asarray(array, dtype=dtype))
    if array.dtype.kind == "f":
        assert np.isfinite(array).all(), name
    np.save(os.path.join(HERE, name), array)
    return array


def check_map(name, cams, zero_maps=()):
    """A golden CAM batch must be finite, in [0, 1], and no image's map all zero (except those listed)."""
    assert np.isfinite(cams).all(), name
    assert cams.min() >= 0 and cams.max() <= 1 + 1e-6, (name, cams.min(), cams.max())
    zero = tuple(i for i, c in enumerate(cams) if not c.any())
    assert zero == tuple(zero_maps), f"{name}: all-zero maps for images {zero}"


def no_hooks_left(model):
    for m in model.modules():
        assert not m._forward_hooks and not m._backward_hooks, f"hook left on {type(m).__name__}"


def randomise_batchnorm(model, mean=0.2, var=(0.5, 1.5), weight=(0.5, 1.5), bias=0.2):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-mean, mean)
            m.running_var.uniform_(*var)
            m.weight.data.uniform_(*weight)
            m.bias.data.uniform_(-bias, bias)


# --------------------------------------------------------------------------------------------------------------
# 1. The small ResNet of ../gradcam/make_fixtures.py (same module tree, so the scripted state_dict loads).
# --------------------------------------------------------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential()
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.downsample(x))


class SmallResNet(nn.Module):
    def __init__(self, classes=10, width=(8, 16, 32, 64)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width[0])
        self.relu = nn.ReLU()
        layers, cin = [], width[0]
        for i, w in enumerate(width):
            layers.append(nn.Sequential(BasicBlock(cin, w, 1 if i == 0 else 2), BasicBlock(w, w, 1)))
            cin = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width[-1], classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# (CLI name, file name, constructor, needs special call)
METHODS = [
    ("gradcam", "gradcam", lambda m, l: pgc.GradCAM(m, l)),
    ("hirescam", "hirescam", lambda m, l: pgc.HiResCAM(m, l)),
    ("gradcam-elementwise", "gradcam-elementwise", lambda m, l: pgc.GradCAMElementWise(m, l)),
    ("gradcam++", "gradcamplusplus", lambda m, l: pgc.GradCAMPlusPlus(m, l)),
    ("xgradcam", "xgradcam", lambda m, l: pgc.XGradCAM(m, l)),
    ("layercam", "layercam", lambda m, l: pgc.LayerCAM(m, l)),
    ("eigencam", "eigencam", lambda m, l: pgc.EigenCAM(m, l)),
    ("eigengradcam", "eigengradcam", lambda m, l: pgc.EigenGradCAM(m, l)),
    ("scorecam", "scorecam", None),
    ("ablationcam", "ablationcam", lambda m, l: pgc.AblationCAM(m, l, batch_size=32)),
    ("fullgrad", "fullgrad", lambda m, l: pgc.FullGrad(m, [])),  # FullGrad ignores target layers: every bias
    ("kpcacam", "kpcacam", lambda m, l: pgc.KPCA_CAM(m, l)),
    ("shapleycam", "shapleycam", lambda m, l: pgc.ShapleyCAM(m, l)),
    ("finercam", "finercam", lambda m, l: pgc.FinerCAM(m, l)),
]


def make_scorecam(model, layers):
    cam = pgc.ScoreCAM(model, layers)
    cam.batch_size = 32
    return cam


def release(cam):
    base = cam.base_cam if isinstance(cam, pgc.FinerCAM) else cam
    base.activations_and_grads.release()


def run_cam(cam, inputs, targets, **kw):
    try:
        return np.asarray(cam(input_tensor=inputs, targets=targets, **kw), dtype=np.float32)
    finally:
        release(cam)


def load_small_resnet():
    scripted = torch.jit.load(os.path.join(GRADCAM_DIR, "small_resnet_scripted.pt"))
    model = SmallResNet()
    model.load_state_dict(scripted.state_dict())
    model.eval()
    inputs = torch.from_numpy(np.load(os.path.join(GRADCAM_DIR, "inputs.npy")))
    with torch.no_grad():
        ours, theirs = model(inputs), scripted(inputs)
    committed = torch.from_numpy(np.load(os.path.join(GRADCAM_DIR, "golden_logits.npy")))
    assert (ours - theirs).abs().max() < 1e-5, "eager module disagrees with the scripted model"
    assert (ours - committed).abs().max() < 1e-5, "eager module disagrees with ../gradcam/golden_logits.npy"
    return model, inputs, ours.numpy()


def eigen_svd_record(projected):
    """Our replay of pytorch-grad-cam's get_2d_projection on (B, C, H, W): the first right-singular vector of the
    channel-centred (H*W, C) matrix and the projection onto it, plus simple sign statistics."""
    vectors, projections, rows = [], [], []
    for a in projected:
        x = a.reshape(a.shape[0], -1).transpose()
        x = x - x.mean(axis=0)
        _, s, vt = np.linalg.svd(x, full_matrices=True)
        v = vt[0]
        p = (x @ v).reshape(a.shape[1:])
        vectors.append(v)
        projections.append(p)
        rows.append({
            "singular_values_top2": [float(s[0]), float(s[1])],
            "v_max_abs_component_sign": int(np.sign(v[np.argmax(np.abs(v))])),
            "v_sum_sign": int(np.sign(v.sum())),
            "projection_sum_sign": int(np.sign(p.sum())),
            "projection_abs_min_gt_abs_max": bool(abs(p.min()) > abs(p.max())),
            "projection_max_abs_value_sign": int(np.sign(p.flat[np.argmax(np.abs(p))])),
        })
    projections = np.float32(projections)
    assert np.array_equal(projections, get_2d_projection(projected)), "our SVD replay differs from pytorch-grad-cam"
    return np.float32(vectors), projections, rows


def capture(model, layer, inputs, targets):
    """Activations and gradients at layer as pytorch-grad-cam's ActivationsAndGradients stores them."""
    ag = ActivationsAndGradients(model, [layer], None)
    try:
        out = ag(inputs)
        model.zero_grad()
        sum(t(o) for t, o in zip(targets, out)).backward()
        return ag.activations[0].numpy().copy(), ag.gradients[0].numpy().copy()
    finally:
        ag.release()


def part1():
    model, inputs, logits = load_small_resnet()
    top1 = logits.argmax(1).astype(np.int64)
    save("logits.npy", logits)
    save("top1_classes.npy", top1, np.int64)
    save("inputs.npy", inputs.numpy())  # same as ../gradcam/inputs.npy, here so the folder stands alone
    layer4 = [model.layer4]
    class3 = [ClassifierOutputTarget(3) for _ in range(4)]
    methods = {}
    for cli, fname, make in METHODS:
        for tag, targets in (("top1", None), ("class3", class3)):
            make_fn = make if make is not None else make_scorecam
            try:
                cams = run_cam(make_fn(model, layer4), inputs, targets)
            except Exception as e:  # report, do not hide
                methods.setdefault(cli, {})[tag] = f"FAILED: {type(e).__name__}: {e}"
                print(cli, tag, "FAILED", e)
                continue
            no_hooks_left(model)
            assert cams.shape == (4, 64, 64), (cli, cams.shape)
            check_map(f"{cli} {tag}", cams)
            save(f"golden_{fname}_{tag}.npy", cams)
            methods.setdefault(cli, {})[tag] = f"golden_{fname}_{tag}.npy"
            print(f"{cli:20s} {tag:6s} ok  per-image max {[round(float(c.max()), 6) for c in cams]}")
    # At layer4 the gradient of a class score is the same at every position (avgpool then fc), which makes
    # HiResCAM equal GradCAM and ShapleyCAM's Hessian term vanish; layer3 (16 x 16) has position-dependent
    # gradients, so every layer-taking method is also run there (top-1 only; FullGrad takes no layer).
    for cli, fname, make in METHODS:
        if cli == "fullgrad":
            continue
        cams = run_cam((make if make is not None else make_scorecam)(model, [model.layer3]), inputs, None)
        no_hooks_left(model)
        assert cams.shape == (4, 64, 64), (cli, cams.shape)
        check_map(f"{cli} layer3", cams)
        save(f"golden_{fname}_layer3_top1.npy", cams)
        methods[cli]["layer3_top1"] = f"golden_{fname}_layer3_top1.npy"
        print(f"{cli:20s} layer3 ok")
    META["methods"] = methods

    variants = {
        "golden_gradcam_layers34_top1.npy": (lambda: pgc.GradCAM(model, [model.layer3, model.layer4]), None, {}),
        "golden_gradcam_eigensmooth_top1.npy": (lambda: pgc.GradCAM(model, layer4), None, {"eigen_smooth": True}),
        "golden_gradcam_augsmooth_top1.npy": (lambda: pgc.GradCAM(model, layer4), None, {"aug_smooth": True}),
        "golden_gradcam_prob3.npy": (lambda: pgc.GradCAM(model, layer4), [ClassifierOutputSoftmaxTarget(3)] * 4, {}),
        # Image 1 / class 2: every layer4 position has a negative weighted sum, so pytorch-grad-cam returns an
        # all-zero map there (ReLU, then 0 / (0 + 1e-7)); kept as the degenerate case.
        "golden_gradcam_perimage.npy": (lambda: pgc.GradCAM(model, layer4),
                                        [ClassifierOutputTarget(c) for c in (1, 2, 3, 4)], {}),
        # ShapleyCAM's Hessian term is zero for a class score of a ReLU CNN (piecewise linear after layer4), so
        # its top1/class3 maps equal GradCAM's; a softmax target makes the Hessian term non-zero.
        "golden_shapleycam_prob3.npy": (lambda: pgc.ShapleyCAM(model, layer4), [ClassifierOutputSoftmaxTarget(3)] * 4, {}),
    }
    for name, (make, targets, kw) in variants.items():
        cams = run_cam(make(), inputs, targets, **kw)
        no_hooks_left(model)
        assert cams.shape == (4, 64, 64), name
        check_map(name, cams, zero_maps=(1,) if name == "golden_gradcam_perimage.npy" else ())
        save(name, cams)
        print(f"{name:40s} ok")

    # aug_smooth re-chooses the top-1 class on every augmented batch; record which classes those were.
    stub = sys.modules["ttach"]
    aug = []
    with torch.no_grad():
        for t in stub.Compose([stub.HorizontalFlip(), stub.Multiply(factors=[0.9, 1, 1.1])]):
            aug.append({"params": [bool(t.params[0]), float(t.params[1])],
                        "top1": [int(c) for c in model(t.augment_image(inputs)).argmax(1)]})
    META["augsmooth"] = {"order": "itertools.product(HorizontalFlip [False, True], Multiply [0.9, 1, 1.1])",
                         "augmentations": aug,
                         "note": "each augmented batch runs forward() with targets=None, so the top-1 class is "
                                 "recomputed per augmentation; maps are flipped back and averaged without a "
                                 "final renormalisation"}

    # FinerCAM with targets=None: main class = top-1, compared classes = ranks 1..3 of |logit - top logit|.
    order = np.argsort(np.abs(logits - logits.max(1, keepdims=True)), axis=-1)
    save("finercam_targets.npy", order[:, [0, 1, 2, 3]].astype(np.int64), np.int64)
    META["finercam"] = {"alpha": 1.0, "comparison_categories": [1, 2, 3],
                        "finercam_targets.npy": "per image: main class, then the 3 compared classes (np.argsort of "
                                                "|logits - max logit|, stable order as numpy quicksort gives)",
                        "class3": "with explicit targets FinerCAM is GradCAM of those targets"}

    # SVD sign convention of EigenCAM / EigenGradCAM.
    sign = {}
    top1_targets = [ClassifierOutputTarget(int(c)) for c in top1]
    cases = [("", model.layer4, "top1", top1_targets), ("", model.layer4, "class3", class3),
             ("_layer3", model.layer3, "top1", top1_targets)]
    for where, layer, tag, targets in cases:
        acts, grads = capture(model, layer, inputs, targets)
        for name, data in (("eigencam", acts), ("eigengradcam", grads * acts)):
            if name == "eigencam" and tag == "class3":
                continue  # EigenCAM does not use the target
            v, p, rows = eigen_svd_record(data)
            key = f"{name}{where}" + ("" if name == "eigencam" else f"_{tag}")
            save(f"svd_{key}_v1.npy", v)
            save(f"svd_{key}_projection.npy", p)
            sign[key] = rows
            # The saved projection reproduces the golden map: ReLU, min-max, resize, min-max.
            golden = np.load(os.path.join(HERE, f"golden_{name}{where}_{tag}.npy"))
            again = scale_cam_image(scale_cam_image(np.maximum(p, 0), (64, 64)))
            assert np.abs(again - golden).max() < 1e-6, key
    META["eigen_svd"] = {
        "how": "per image: X = activations (EigenCAM) or grads*activations (EigenGradCAM) reshaped to (H*W, C), "
               "each channel centred over H*W, numpy.linalg.svd(X, full_matrices=True) in float32 (LAPACK "
               "sgesdd), projection = X @ Vt[0]; then pytorch-grad-cam applies ReLU and min-max scaling, so the "
               "sign of Vt[0] decides which half of the map survives",
        "files": "svd_<method>[_<target>]_v1.npy: Vt[0] per image (4 x C); svd_..._projection.npy: X @ Vt[0] "
                 "before ReLU (4 x H x W)",
        "per_image": sign,
    }
    META["ablationcam"] = ablation_notes(model, inputs, top1)


def ablation_notes(model, inputs, top1):
    """Record Ablation-CAM's ablation value at layer4 and at a layer whose minimum is negative."""
    notes = {}
    with torch.no_grad():
        store = {}
        h1 = model.layer4.register_forward_hook(lambda m, i, o: store.__setitem__("layer4", o.clone()))
        h2 = model.layer4[1].bn2.register_forward_hook(lambda m, i, o: store.__setitem__("bn2", o.clone()))
        model(inputs)
        h1.remove()
        h2.remove()
    notes["layer4_min_per_image"] = [float(store["layer4"][i].min()) for i in range(4)]
    notes["layer4_ablation_value"] = ("0: AblationLayer tests torch.min over the whole ablation batch (copies of "
                                      "one image's layer4 output, post-ReLU, min exactly 0), so an ablated "
                                      "channel is set to 0")
    notes["layer4_1_bn2_min_per_image"] = [float(store["bn2"][i].min()) for i in range(4)]
    notes["negative_min_behaviour"] = (
        "when torch.min(batch) != 0, AblationLayer sets slot k's channel to torch.min(batch) - 1e7, evaluated "
        "AFTER slots 0..k-1 were already overwritten, so within one batch of 32 the values are "
        "m - 1e7, m - 2e7, ..., m - 32e7 (m = the image's minimum), restarting for the next batch of channels; "
        "golden_ablationcam_layer4_1_bn2_top1.npy is pytorch-grad-cam's map there")
    cams = run_cam(pgc.AblationCAM(model, [model.layer4[1].bn2], batch_size=32), inputs, None)
    no_hooks_left(model)
    check_map("ablationcam layer4.1.bn2", cams)
    save("golden_ablationcam_layer4_1_bn2_top1.npy", cams)
    # Demonstrate the cumulative value on image 0 directly with pytorch-grad-cam's AblationLayer.
    layer = pgc.AblationLayer()
    layer.indices = np.arange(32, dtype=np.int32)
    layer.set_next_batch(input_batch_index=0, activations=store["bn2"], num_channels_to_ablate=32)
    out = layer(None)
    notes["layer4_1_bn2_image0_first_batch_ablation_values"] = [float(out[k, k].max()) for k in range(4)] + ["..."]
    notes["weights"] = "(original score - ablated score) / original score, per channel"
    return notes


# --------------------------------------------------------------------------------------------------------------
# 2. In-place models: the tapped module's output is modified in place by its parent afterwards.
# --------------------------------------------------------------------------------------------------------------
class InplaceAdd(nn.Module):
    """Like torchvision's Bottleneck: bn (tapped), then out += identity, then a shared ReLU(inplace=True)."""

    def __init__(self, classes=5):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 2, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(8, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, classes)

    def forward(self, x):
        x = self.relu(self.stem_bn(self.stem(x)))
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn(self.conv2(out))
        out += identity
        out = self.relu(out)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


class InplaceReluModule(nn.Module):
    """Like VGG's features.28: a conv (tapped) followed by nn.ReLU(inplace=True) in the same Sequential."""

    def __init__(self, classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, 1, 1), nn.BatchNorm2d(8), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, 1, 1), nn.ReLU(inplace=True), nn.MaxPool2d(2))
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.classifier = nn.Sequential(nn.Linear(64, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def densenet_features():
    return nn.Sequential(OrderedDict([
        ("conv0", nn.Conv2d(3, 8, 3, 2, 1, bias=False)), ("norm0", nn.BatchNorm2d(8)),
        ("relu0", nn.ReLU(inplace=True)), ("conv1", nn.Conv2d(8, 16, 3, 1, 1, bias=False)),
        ("norm5", nn.BatchNorm2d(16))]))


class InplaceReluFn(nn.Module):
    """Like DenseNet: features ends with norm5 (tapped); the parent applies F.relu(x, inplace=True)."""

    def __init__(self, classes=5):
        super().__init__()
        self.features = densenet_features()
        self.classifier = nn.Linear(16, classes)

    def forward(self, x):
        out = F.relu(self.features(x), inplace=True)
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1))


class InplaceReluMethod(nn.Module):
    """As InplaceReluFn, but the parent calls x.relu_()."""

    def __init__(self, classes=5):
        super().__init__()
        self.features = densenet_features()
        self.classifier = nn.Linear(16, classes)

    def forward(self, x):
        out = self.features(x).relu_()
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1))


INPLACE = [
    ("inplace_add", InplaceAdd, "bn", "out += identity, then nn.ReLU(inplace=True) (torchvision Bottleneck.bn3)"),
    ("inplace_relu_module", InplaceReluModule, "features.4", "next module nn.ReLU(inplace=True) (VGG features.28)"),
    ("inplace_relu_fn", InplaceReluFn, "features.norm5", "parent calls F.relu(x, inplace=True) (DenseNet norm5)"),
    ("inplace_relu_method", InplaceReluMethod, "features.norm5", "parent calls x.relu_()"),
]


class CloneForParent:
    """Forward hook returning a clone, so the parent's in-place op changes the clone, not the module output.
    Keeps the module output and the clone (whose current version, after the forward, holds the final values)."""

    def __init__(self, layer):
        self.handle = layer.register_forward_hook(self)

    def __call__(self, module, inputs, output):
        self.output = output
        self.clone = output.clone()
        return self.clone


def inplace_observations(model, layer, inputs):
    """Compare what pytorch-grad-cam stores with the module output and the final (post-in-place) values."""
    ag = ActivationsAndGradients(model, [layer], None)
    out = ag(inputs)
    targets = [ClassifierOutputTarget(int(c)) for c in out.argmax(1)]
    model.zero_grad()
    sum(t(o) for t, o in zip(targets, out)).backward()
    pgc_act, pgc_grad = ag.activations[0].clone(), ag.gradients[0].clone()
    ag.release()

    probe = CloneForParent(layer)
    out = model(inputs)
    loss = sum(t(o) for t, o in zip(targets, out))
    g_module, g_final = torch.autograd.grad(loss, [probe.output, probe.clone])
    probe.handle.remove()
    module_out, final = probe.output.detach(), probe.clone.detach()

    def diff(a, b):
        return float((a - b).abs().max())

    obs = {
        "max_abs_diff_pgc_activation_vs_final_values": diff(pgc_act, final),
        "max_abs_diff_pgc_activation_vs_module_output": diff(pgc_act, module_out),
        "max_abs_diff_pgc_gradient_vs_grad_wrt_module_output": diff(pgc_grad, g_module),
        "max_abs_diff_pgc_gradient_vs_grad_wrt_final_values": diff(pgc_grad, g_final),
    }
    obs["pgc_activation_is"] = "final values" if obs["max_abs_diff_pgc_activation_vs_final_values"] == 0 else \
        ("module output" if obs["max_abs_diff_pgc_activation_vs_module_output"] == 0 else "neither")
    obs["pgc_gradient_is"] = "gradient w.r.t. module output" \
        if obs["max_abs_diff_pgc_gradient_vs_grad_wrt_module_output"] == 0 else \
        ("gradient w.r.t. final values" if obs["max_abs_diff_pgc_gradient_vs_grad_wrt_final_values"] == 0
         else "neither")
    assert obs["max_abs_diff_pgc_activation_vs_module_output"] > 0, "in-place op did not change the module output?"
    return obs


def part2():
    torch.manual_seed(2024)
    inputs = torch.randn(2, 3, 32, 32)
    save("inplace_inputs.npy", inputs.numpy())
    layers = {}
    for i, (name, cls, tapped, how) in enumerate(INPLACE):
        torch.manual_seed(100 + i)
        model = cls()
        randomise_batchnorm(model, mean=0.5, var=(0.5, 2.0), weight=(0.5, 1.5), bias=0.3)
        model.eval()
        with torch.no_grad():
            logits = model(inputs)
        scripted = torch.jit.script(model)
        traced = torch.jit.trace(model, inputs)
        with torch.no_grad():
            assert (scripted(inputs) - logits).abs().max() < 1e-5 and (traced(inputs) - logits).abs().max() < 1e-5
        scripted.save(os.path.join(HERE, f"{name}_scripted.pt"))
        traced.save(os.path.join(HERE, f"{name}_traced.pt"))
        save(f"{name}_logits.npy", logits.numpy())
        layer = dict(model.named_modules())[tapped]

        cams = run_cam(pgc.GradCAM(model, [layer]), inputs, None)
        no_hooks_left(model)
        check_map(name, cams)
        save(f"golden_{name}_gradcam.npy", cams)

        cam = pgc.GradCAM(model, [layer])
        probe = CloneForParent(layer)  # registered after pytorch-grad-cam's hooks: they see the untouched output
        try:
            cams_mo = run_cam(cam, inputs, None)
        finally:
            probe.handle.remove()
        no_hooks_left(model)
        check_map(name + " module output", cams_mo)
        save(f"golden_{name}_gradcam_moduleoutput.npy", cams_mo)

        obs = inplace_observations(model, layer, inputs)
        no_hooks_left(model)
        layers[name] = {"layer": tapped, "in_place_after_it": how, "top1": [int(c) for c in logits.argmax(1)],
                        "max_abs_diff_between_the_two_goldens": float(np.abs(cams - cams_mo).max()),
                        "observed": obs}
        print(f"{name:22s} {tapped:15s} pgc activation = {obs['pgc_activation_is']}, gradient = "
              f"{obs['pgc_gradient_is']}; golden diff {layers[name]['max_abs_diff_between_the_two_goldens']:.3f}")
    with open(os.path.join(HERE, "inplace_layers.json"), "w") as f:
        json.dump({"inputs": "inplace_inputs.npy (2 x 3 x 32 x 32)", "torch": torch.__version__,
                   "golden_<name>_gradcam.npy": "pytorch-grad-cam GradCAM top-1 as it returns it on CPU",
                   "golden_<name>_gradcam_moduleoutput.npy": "GradCAM of the module output (pre-in-place)",
                   "models": layers}, f, indent=1)
        f.write("\n")


# --------------------------------------------------------------------------------------------------------------
# 3. A tiny ViT.
# --------------------------------------------------------------------------------------------------------------
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = float((dim // heads) ** -0.5)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.size(0), x.size(1), x.size(2)
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * self.scale, dim=-1)
        return self.proj(torch.matmul(attn, v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TinyViT(nn.Module):
    def __init__(self, classes=5, dim=32, heads=4, depth=2, patch=8, image=32):
        super().__init__()
        tokens = (image // patch) ** 2
        self.patch_embed = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.5)
        self.pos_embed = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.5)
        self.blocks = nn.ModuleList([Block(dim, heads, 2 * dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.size(0), -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


def part3():
    torch.manual_seed(7)
    model = TinyViT()
    for m in model.modules():  # non-trivial LayerNorm affine parameters
        if isinstance(m, nn.LayerNorm):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    inputs = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        logits = model(inputs)
    scripted = torch.jit.script(model)
    with torch.no_grad():
        assert (scripted(inputs) - logits).abs().max() < 1e-5
    scripted.save(os.path.join(HERE, "tiny_vit_scripted.pt"))
    save("tiny_vit_inputs.npy", inputs.numpy())
    save("tiny_vit_logits.npy", logits.numpy())
    reshape = functools.partial(vit_reshape_transform, height=4, width=4)
    layer = [model.blocks[1].norm1]
    cams = run_cam(pgc.GradCAM(model, layer, reshape_transform=reshape), inputs, None)
    no_hooks_left(model)
    assert cams.shape == (2, 32, 32)
    check_map("tiny_vit", cams)
    save("golden_tiny_vit_gradcam.npy", cams)
    META["tiny_vit"] = {"layer": "blocks.1.norm1", "top1": [int(c) for c in logits.argmax(1)],
                        "reshape": "vit_reshape_transform(height=4, width=4): drop token 0, (B,16,C) -> (B,C,4,4)",
                        "size_bytes": os.path.getsize(os.path.join(HERE, "tiny_vit_scripted.pt")),
                        "shapleycam": shapley_with_reshape(model, layer, inputs, reshape)}
    print("tiny_vit top1", META["tiny_vit"]["top1"], "| ShapleyCAM:", META["tiny_vit"]["shapleycam"])


def shapley_with_reshape(model, layer, inputs, reshape):
    """ShapleyCAM keeps undetached activations (detach=False) and applies reshape_transform only inside
    get_cam_weights, so BaseCAM.get_cam_image receives the (B, tokens, C) activations and rejects them; its
    release() then fails too (detach_() on a gradient that is a view), leaving the hooks on. Record what happens."""
    cam = pgc.ShapleyCAM(model, layer, reshape_transform=reshape)
    try:
        cam(input_tensor=inputs, targets=None)
        outcome = "ran"
    except Exception as e:
        outcome = f"cannot run at this commit: {type(e).__name__}: {e}"
    ag = cam.activations_and_grads
    ag.activations, ag.gradients = [], []
    for handle in ag.handles:
        handle.remove()
    ag.handles.clear()
    no_hooks_left(model)
    return outcome


def main():
    commit = pgc_commit()
    META["pytorch_grad_cam_commit"] = commit
    if not commit.startswith(PGC_COMMIT):
        print(f"warning: pytorch-grad-cam at {commit}, fixtures were made at {PGC_COMMIT}", file=sys.stderr)
    np.random.seed(0)
    part1()
    part2()
    part3()
    with open(os.path.join(HERE, "meta.json"), "w") as f:
        json.dump(META, f, indent=1)
        f.write("\n")
    for name in sorted(os.listdir(HERE)):
        size = os.path.getsize(os.path.join(HERE, name))
        assert size < 5 * 1024 * 1024, (name, size)


if __name__ == "__main__":
    if os.environ.get("FIXTURES_PART"):
        globals()["part" + os.environ["FIXTURES_PART"]]()
    else:
        main()
