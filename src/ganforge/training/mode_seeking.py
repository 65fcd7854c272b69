"""Mode seeking (Mao et al. 2019, "MSGAN"): a term in G's loss that asks two noise vectors drawn
for the same condition to give images as far apart as the noise vectors are.

A G that ignores part of its noise (one image per class or cluster, whatever z says, or a
narrower spread of images than the data has) scores a small ratio of image distance to noise
distance; the term is the ratio's reciprocal, so it grows as G collapses and pushes the paired
images apart. With `train.mode_seeking_weight` above 0, G's pass for its update draws a second
noise vector for the first half of the batch, with the same conditions, in the same call (one
forward pass per backward, which DDP needs). Under torchrun each process pairs its own share of
the batch and DDP averages the processes' gradients: the mean of per-process terms, not one term
over every pair, so N processes of batch B do not follow one process of batch N x B exactly
(G's BatchNorm statistics, over the 1.5x pass, are per process already).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

EPSILON = 1e-5
"""Keeps the reciprocal finite when G maps the paired noise to the same image (the authors')."""


class FakePair(NamedTuple):
    """Images G drew for the same conditions from two noise vectors each: images_a[i] from
    noise_a[i], images_b[i] from noise_b[i]."""

    images_a: Tensor
    images_b: Tensor
    noise_a: Tensor
    noise_b: Tensor


def pair_count(batch_size: int) -> int:
    """How many of a batch's fakes get a second draw: half of them."""
    return batch_size // 2


def mode_seeking_loss(pair: FakePair) -> Tensor:
    """1 / (mean |images_a - images_b| / mean |noise_a - noise_b| + EPSILON), in float32: the
    mean absolute distances over every element of the pairs, as the authors compute them."""
    image_distance = (pair.images_a.float() - pair.images_b.float()).abs().mean()
    # Clamped: equal noise (only a test's fixed noise source gives it) would divide by zero.
    noise_distance = (pair.noise_a.float() - pair.noise_b.float()).abs().mean()
    return 1 / (image_distance / noise_distance.clamp_min(EPSILON) + EPSILON)


def paired_batch(noise: Tensor, labels: Tensor | None, pair_noise: Tensor
                 ) -> tuple[Tensor, Tensor | None]:
    """The inputs of G's one pass: the batch's noise and conditions, then `pair_noise` (one row
    per pair) with the conditions of the batch's first rows."""
    pairs = len(pair_noise)
    both_labels = None if labels is None else torch.cat([labels, labels[:pairs]])
    return torch.cat([noise, pair_noise]), both_labels


def split_pass(images: Tensor, noise: Tensor, pair_noise: Tensor) -> tuple[Tensor, FakePair]:
    """G's output for `paired_batch`'s inputs, split into the batch's fakes and the pairs."""
    size, pairs = len(noise), len(pair_noise)
    fake = images[:size]
    return fake, FakePair(fake[:pairs], images[size:], noise[:pairs], pair_noise)
