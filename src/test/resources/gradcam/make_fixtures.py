#!/usr/bin/python3
"""Golden Grad-CAM fixtures, made with the reference (the article's) algorithm in Python.

A small ResNet-shaped CNN (layer1..layer4 of BasicBlocks, 64x64 input) with seeded random weights is
saved as TorchScript twice (scripted and traced). For a few seeded inputs, Python forward/backward hooks
on a layer give activations A and gradients G of the top-1 score; the map is
ReLU(sum_c mean(G_c) * A_c), resized to the input with cv2.resize (bilinear) and min-max normalised.
Needs Debian's python3-torch and python3-opencv; run from this folder: ./make_fixtures.py
"""
import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)


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
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(cin, w, stride), BasicBlock(w, w, 1)))
            cin = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width[-1], classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomise_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def reference_gradcam(model, layer_name, image):
    layer = dict(model.named_modules())[layer_name]
    store = {}
    h1 = layer.register_forward_hook(lambda m, i, o: store.__setitem__("a", o))
    h2 = layer.register_full_backward_hook(lambda m, gi, go: store.__setitem__("g", go[0]))
    model.zero_grad()
    out = model(image)
    cls = int(out.argmax(1))
    out[0, cls].backward()
    h1.remove()
    h2.remove()
    a, g = store["a"].detach(), store["g"].detach()
    weights = g.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * a).sum(1))[0].numpy().astype(np.float32)
    cam = cv2.resize(cam, (image.shape[3], image.shape[2]))
    cam = cam - cam.min()
    cam = cam / cam.max() if cam.max() > 0 else cam
    return cls, float(out[0, cls]), cam


model = SmallResNet()
randomise_batchnorm(model)
model.eval()
for p in model.parameters():
    p.requires_grad_(False)
inputs = torch.randn(4, 3, 64, 64)
torch.jit.script(model).save("small_resnet_scripted.pt")
torch.jit.trace(model, inputs[:1]).save("small_resnet_traced.pt")
for p in model.parameters():
    p.requires_grad_(True)

np.save("inputs.npy", inputs.numpy().astype(np.float32))
for layer in ("layer4", "layer3.1.conv2"):
    results = [reference_gradcam(model, layer, inputs[i:i + 1].clone().requires_grad_(True)) for i in range(4)]
    np.save(f"golden_{layer.replace('.', '_')}.npy", np.stack([r[2] for r in results]).astype(np.float32))
    np.save("golden_classes.npy", np.array([r[0] for r in results], dtype=np.int64))
    np.save("golden_scores.npy", np.array([r[1] for r in results], dtype=np.float32))
with torch.no_grad():
    np.save("golden_logits.npy", model(inputs).numpy().astype(np.float32))
print("classes", [int(c) for c in np.load("golden_classes.npy")])
