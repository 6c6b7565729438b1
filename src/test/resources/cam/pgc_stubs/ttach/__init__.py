"""Minimal stand-in for ttach (not packaged in Debian): only what pytorch-grad-cam's aug_smooth uses."""
import itertools
import torch

class HorizontalFlip:
    params = [False, True]
    def __init__(self):
        self.pname = "apply"
    def apply_aug_image(self, image, apply=False):
        return image.flip(3) if apply else image
    def apply_deaug_mask(self, mask, apply=False):
        return mask.flip(3) if apply else mask

class Multiply:
    def __init__(self, factors):
        self.params = list(factors)
    def apply_aug_image(self, image, factor=1):
        return image * factor if factor != 1 else image
    def apply_deaug_mask(self, mask, factor=1):
        return mask

class _Merged:
    def __init__(self, transforms, params):
        self.transforms, self.params = transforms, params
    def augment_image(self, image):
        for t, p in zip(self.transforms, self.params):
            image = t.apply_aug_image(image, p)
        return image
    def deaugment_mask(self, mask):
        for t, p in reversed(list(zip(self.transforms, self.params))):
            mask = t.apply_deaug_mask(mask, p)
        return mask

class Compose:
    def __init__(self, transforms):
        self.aug_transforms = transforms
        self.aug_transform_parameters = list(itertools.product(*[t.params for t in transforms]))
    def __iter__(self):
        for params in self.aug_transform_parameters:
            yield _Merged(self.aug_transforms, params)
    def __len__(self):
        return len(self.aug_transform_parameters)
