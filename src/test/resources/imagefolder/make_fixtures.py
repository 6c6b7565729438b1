#!/usr/bin/python3
"""Golden ImageFolder fixtures from torchvision (Debian's python3-torchvision, PIL):
class order, sample order and the tensors of Resize((24, 32)) -> ToTensor -> Normalize(ImageNet).
Images are larger and smaller than the target, so both down- and up-sampling are covered.
Run from this folder: ./make_fixtures.py"""
import json
import os

import numpy as np
from PIL import Image
from torchvision import datasets, transforms

rng = np.random.RandomState(7)
root = "folder"
specs = {"zebra": [(40, 60, "png"), (18, 20, "jpg")], "apple": [(48, 96, "png"), (24, 32, "bmp")],
         "Moth": [(100, 30, "png")]}
for cls, items in specs.items():
    os.makedirs(os.path.join(root, cls), exist_ok=True)
    for i, (h, w, ext) in enumerate(items):
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([(xx * 255 // max(1, w - 1)), (yy * 255 // max(1, h - 1)),
                        rng.randint(0, 256, size=(h, w))], axis=-1).astype(np.uint8)
        Image.fromarray(img).save(os.path.join(root, cls, f"img{i}.{ext}"), quality=95)
with open(os.path.join(root, "apple", "notes.txt"), "w") as f:
    f.write("not an image")

tf = transforms.Compose([transforms.Resize((24, 32)), transforms.ToTensor(),
                         transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
ds = datasets.ImageFolder(root, transform=tf)
tensors = np.stack([ds[i][0].numpy() for i in range(len(ds))]).astype(np.float32)
np.save("golden_tensors.npy", tensors)
with open("golden.json", "w") as f:
    json.dump({"classes": ds.classes,
               "samples": [[os.path.relpath(p, root), t] for p, t in ds.samples]}, f, indent=1)
print(ds.classes, len(ds))
