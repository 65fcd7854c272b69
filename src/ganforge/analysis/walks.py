"""Latent walks: G along paths between random pairs of noise vectors. A smooth walk says G has
learnt a continuous map rather than a lookup of memorised images (Radford et al. 2016).

Paths are spherical (slerp) for a Gaussian prior, whose mass sits near a sphere: a straight line
between two draws passes through low-norm z that G never saw in training (White 2016). A
uniform prior's hypercube is convex, so its paths are straight lines.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ganforge.sampler import Sampler


def interpolate(start: Tensor, end: Tensor, steps: int, *, spherical: bool) -> Tensor:
    """`steps` points from start to end ([dim] each), both ends included: [steps, dim]."""
    t = torch.linspace(0, 1, steps, dtype=start.dtype, device=start.device)[:, None]
    if not spherical:
        return (1 - t) * start + t * end
    cosine = torch.dot(start, end) / (start.norm() * end.norm()).clamp_min(1e-12)
    angle = torch.arccos(cosine.clamp(-1, 1))
    if angle.abs() < 1e-6:  # (anti)parallel ends: the arc is the line
        return (1 - t) * start + t * end
    return (torch.sin((1 - t) * angle) * start + torch.sin(t * angle) * end) / torch.sin(angle)


@torch.no_grad()
def latent_walks(sampler: Sampler, *, rows: int = 8, steps: int = 8, seed: int = 0) -> Tensor:
    """`rows` walks of `steps` samples each, as images [rows * steps, C, H, W] in [0, 1] (one
    row per walk). A conditional G walks within one class per row (the classes in turn); a
    prior's one-hot category is held at the start's."""
    prior = sampler.prior
    generator = torch.Generator().manual_seed(seed)
    ends = prior.sample(2 * rows, generator=generator, temperature=sampler.temperature)
    spherical = prior.kind == "gaussian"
    paths = []
    for row in range(rows):
        start, end = ends[2 * row], ends[2 * row + 1]
        noise = interpolate(start[:prior.noise_dim], end[:prior.noise_dim], steps,
                            spherical=spherical)
        category = start[prior.noise_dim:].expand(steps, -1)
        paths.append(torch.cat([noise, category], dim=1))
    z = torch.cat(paths)
    labels = None
    if sampler.num_classes is not None:
        labels = (torch.arange(rows) % sampler.num_classes).repeat_interleave(steps)
    return sampler.decode(z, labels).cpu()
