"""Noise priors p_z: uniform on [-sqrt 3, sqrt 3]^d (unit variance) or the standard Gaussian,
optionally followed by a one-hot category drawn uniformly."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

_SQRT3 = math.sqrt(3.0)


class Prior:
    """Samples z of shape [n, dim]: `noise_dim` continuous values, then `categories` one-hot."""

    def __init__(self, kind: str, noise_dim: int, categories: int = 0) -> None:
        if kind not in ("uniform", "gaussian"):
            raise ValueError(f"unknown prior {kind!r}")
        self.kind = kind
        self.noise_dim = noise_dim
        self.categories = categories

    @property
    def dim(self) -> int:
        """The input width G needs."""
        return self.noise_dim + self.categories

    def sample(self, n: int, *, device: torch.device | str = "cpu",
               generator: torch.Generator | None = None, temperature: float = 1.0) -> Tensor:
        """Draw n noise vectors on `device` (from `generator` when given).

        `temperature` scales the continuous noise (not the category): below 1 the draws sit
        nearer the prior's centre, where G was trained most, trading diversity for fidelity.
        """
        shape = (n, self.noise_dim)
        if self.kind == "gaussian":
            z = torch.randn(shape, device=device, generator=generator)
        else:
            z = torch.rand(shape, device=device, generator=generator).mul_(2 * _SQRT3) \
                .sub_(_SQRT3)
        if temperature != 1.0:
            z.mul_(temperature)
        if not self.categories:
            return z
        category = torch.randint(self.categories, (n,), device=device, generator=generator)
        return torch.cat([z, F.one_hot(category, self.categories).to(z.dtype)], dim=1)

    def __repr__(self) -> str:
        extra = f", categories={self.categories}" if self.categories else ""
        return f"Prior({self.kind!r}, noise_dim={self.noise_dim}{extra})"
