#!/usr/bin/python3
"""Exports torchvision's ResNet-18 and ResNet-34 (random weights: none can be downloaded here) as
TorchScript for the Grad-CAM benchmarks. Needs Debian's python3-torchvision.
Usage: make_resnet.py OUT_DIR"""
import os
import sys

import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "target/bench"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
for name in ("resnet18", "resnet34"):
    model = getattr(torchvision.models, name)(weights=None).eval()
    torch.jit.script(model).save(os.path.join(out, name + ".pt"))
    print("wrote", os.path.join(out, name + ".pt"))
