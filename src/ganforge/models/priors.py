"""Noise priors p_z: uniform on [-sqrt 3, sqrt 3]^d (unit variance) or the standard Gaussian."""

from __future__ import annotations

import math

import torch
from torch import Tensor

_SQRT3 = math.sqrt(3.0)


class Prior:
    """Samples noise z of shape [n, noise_dim]."""

    def __init__(self, kind: str, noise_dim: int) -> None:
        if kind not in ("uniform", "gaussian"):
            raise ValueError(f"unknown prior {kind!r}")
        self.kind = kind
        self.noise_dim = noise_dim

    def sample(self, n: int, *, device: torch.device | str = "cpu",
               generator: torch.Generator | None = None) -> Tensor:
        """Draw n noise vectors on `device` (from `generator` when given)."""
        shape = (n, self.noise_dim)
        if self.kind == "gaussian":
            return torch.randn(shape, device=device, generator=generator)
        return torch.rand(shape, device=device, generator=generator).mul_(2 * _SQRT3).sub_(_SQRT3)

    def __repr__(self) -> str:
        return f"Prior({self.kind!r}, noise_dim={self.noise_dim})"
