"""Low-dimensional data with known densities: 1-D Gaussian mixtures (the paper's Figure 1) and
the 2-D ring and grid of Gaussians that measure mode collapse (Metz et al. 2017, Lin et al. 2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor


@dataclass(frozen=True)
class GaussianMixture:
    """A mixture of isotropic Gaussians in D dimensions, with a density we can evaluate."""

    means: Tensor
    """[M, D] component means."""
    stds: Tensor
    """[M] component standard deviations."""
    weights: Tensor
    """[M] mixture weights, summing to 1."""

    @property
    def dim(self) -> int:
        return int(self.means.shape[1])

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw n points: float32 [n, D]."""
        component = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        points = self.means[component] + noise * self.stds[component, None]
        return points.float()

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density at points x, shape [N, D] (or [N] when D == 1); float64 [N]."""
        points = np.asarray(x, dtype=np.float64).reshape(-1, self.dim)
        means, stds = self.means.numpy(), self.stds.numpy()
        squared = ((points[:, None, :] - means[None]) ** 2).sum(-1)  # [N, M]
        norm = (2 * math.pi * stds**2) ** (-self.dim / 2)
        return (self.weights.numpy() * norm * np.exp(-squared / (2 * stds**2))).sum(-1)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """1-D only: the distribution function at x."""
        from scipy.stats import norm

        if self.dim != 1:
            raise ValueError("cdf is defined for 1-D mixtures only")
        points = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        means, stds = self.means.numpy()[:, 0], self.stds.numpy()
        return (self.weights.numpy() * norm.cdf((points - means) / stds)).sum(-1)


def _mixture(means: list[list[float]], stds: list[float], weights: list[float] | None
             ) -> GaussianMixture:
    w = torch.tensor(weights if weights else [1.0] * len(means), dtype=torch.float64)
    return GaussianMixture(torch.tensor(means, dtype=torch.float64),
                           torch.tensor(stds, dtype=torch.float64), w / w.sum())


def gaussian_mixture_1d(means: tuple[float, ...], stds: tuple[float, ...],
                        weights: tuple[float, ...] = ()) -> GaussianMixture:
    """A 1-D mixture; one component is a plain Gaussian such as N(4, 0.5)."""
    return _mixture([[m] for m in means], list(stds), list(weights))


def ring_2d(num_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    """num_modes equal Gaussians evenly spaced on a circle."""
    angles = [2 * math.pi * i / num_modes for i in range(num_modes)]
    means = [[radius * math.cos(a), radius * math.sin(a)] for a in angles]
    return _mixture(means, [std] * num_modes, None)


def grid_2d(size: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """size x size equal Gaussians on a square grid centred at the origin."""
    ticks = [spacing * (i - (size - 1) / 2) for i in range(size)]
    means = [[a, b] for a in ticks for b in ticks]
    return _mixture(means, [std] * len(means), None)
