"""Differentiable augmentation of what D sees (DiffAugment; Zhao et al. 2020).

During training, every batch D judges (real, generated, and in G's update the generated batch
G learns from) passes through the same random transformations, drawn afresh for each image. D
then tells T(p_data) from T(p_g), and G is pulled towards T(p_g) = T(p_data). Where that implies
p_g = p_data, the transformation does not leak into the samples: the target stays p_data while D
sees more varied real images and overfits them later. Zhao et al. found theirs did not leak on
their data. On MNIST, translation and cutout applied to every image did harm: G drew some
shifted digits and many near-duplicates (BENCHMARKS.md). Karras et al. 2020 apply each
transformation with a probability below 1, so that D also sees images as they are; they argue
that for transformations like these this restores the implication. The transformations are
differentiable in the pixels, so G's gradient passes through them. Sampling and evaluation
never augment.

A new transformation is one function `(images [B, C, H, W]) -> images` and one entry in
`AUGMENTATIONS`; `train.augment` and its help follow. Each draws from torch's global generator,
which checkpoints already save per process (as dropout does), so resumed runs continue exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

Augmentation = Callable[[Tensor], Tensor]

# The ranges Zhao et al. chose: shifts up to an eighth of the side, a cut-out half the side, a
# brightness offset in [-0.5, 0.5) and a contrast factor in [0.5, 1.5).
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def _per_image(x: Tensor) -> Tensor:
    """Uniform [0, 1) draws, one per image, shaped to broadcast over [B, C, H, W]."""
    return torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype)


def translate(x: Tensor) -> Tensor:
    """Shift each image by whole pixels, up to an eighth of its height and width either way; the
    border it uncovers repeats the edge pixels (the background, for centred digits)."""
    batch, channels, height, width = x.shape
    reach_y, reach_x = (max(1, int(side * TRANSLATION_RATIO + 0.5)) for side in (height, width))
    shift_y = torch.randint(-reach_y, reach_y + 1, (batch, 1, 1), device=x.device)
    shift_x = torch.randint(-reach_x, reach_x + 1, (batch, 1, 1), device=x.device)
    # Output pixel (i, j) reads input pixel (i + dy, j + dx), clamped to the image: one gather.
    rows = (torch.arange(height, device=x.device).view(1, -1, 1) + shift_y).clamp(0, height - 1)
    cols = (torch.arange(width, device=x.device).view(1, 1, -1) + shift_x).clamp(0, width - 1)
    source = (rows * width + cols).view(batch, 1, height * width).expand(-1, channels, -1)
    return x.flatten(2).gather(2, source).view_as(x)


def cutout(x: Tensor) -> Tensor:
    """Zero a square half the image's side in each image, centred on a uniformly drawn pixel (so
    it may hang over an edge). Zero is mid-grey in the [-1, 1] range of a tanh G."""
    batch, _, height, width = x.shape
    cut_y, cut_x = (max(1, int(side * CUTOUT_RATIO + 0.5)) for side in (height, width))
    top = torch.randint(0, height, (batch, 1, 1), device=x.device) - cut_y // 2
    left = torch.randint(0, width, (batch, 1, 1), device=x.device) - cut_x // 2
    rows = torch.arange(height, device=x.device).view(1, -1, 1)
    cols = torch.arange(width, device=x.device).view(1, 1, -1)
    inside = (rows >= top) & (rows < top + cut_y) & (cols >= left) & (cols < left + cut_x)
    return x * (~inside).unsqueeze(1).to(x.dtype)


def brightness(x: Tensor) -> Tensor:
    """Add one offset in [-0.5, 0.5) to every pixel of an image."""
    return x + (_per_image(x) - 0.5)


def contrast(x: Tensor) -> Tensor:
    """Scale each image's deviations from its own mean by a factor in [0.5, 1.5)."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_per_image(x) + 0.5) + mean


AUGMENTATIONS: dict[str, Augmentation] = {
    "translation": translate,
    "cutout": cutout,
    "brightness": brightness,
    "contrast": contrast,
}


def build_augmentation(names: Sequence[str], probability: float = 1.0) -> Augmentation:
    """The named transformations applied in the given order (none: the images unchanged), each
    to each image with `probability` (Karras et al. 2020's p), else left out for that image.

    Below 1, every image keeps some chance of reaching D as it is, which keeps a transformation
    from leaking into G's samples: at 1, D cannot tell a shift G drew from one the augmentation
    added, and on MNIST G drew some shifted digits and many near-duplicates (BENCHMARKS.md).
    """
    unknown = [name for name in names if name not in AUGMENTATIONS]
    if unknown:
        raise KeyError(f"unknown augmentation {unknown[0]!r}; choose from "
                       f"{', '.join(AUGMENTATIONS)}")
    if not 0 <= probability <= 1:
        raise ValueError(f"the augmentation probability must be in [0, 1] (got {probability})")
    steps = [AUGMENTATIONS[name] for name in names]

    def augment(x: Tensor) -> Tensor:
        for step in steps:
            if probability == 1:
                x = step(x)
            else:
                chosen = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < probability
                x = torch.where(chosen, step(x), x)
        return x
    return augment
