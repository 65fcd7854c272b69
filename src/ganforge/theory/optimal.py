"""The paper's theory in numbers, for 1-D densities on a grid (Goodfellow et al. 2014, section 4):

    D*(x) = p_data(x) / (p_data(x) + p_g(x))                       (Proposition 1)
    V(D*, G) = -log 4 + 2 JSD(p_data || p_g)                        (Theorem 1)

p_g is the density of G's samples: exact by change of variables when G is monotone in z,
otherwise a Gaussian KDE of many samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, stats


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) on a grid; where both densities vanish D* is undefined and set to 1/2."""
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def _xlogy_over(p: np.ndarray, m: np.ndarray) -> np.ndarray:
    """p * log(p / m), with 0 log 0 = 0."""
    ratio = np.divide(p, m, out=np.ones_like(p), where=(p > 0) & (m > 0))
    return p * np.log(ratio)


def jensen_shannon(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """JSD(p || q) in nats, integrating densities given on the grid `x` (Simpson's rule)."""
    m = 0.5 * (p + q)
    integrand = 0.5 * _xlogy_over(p, m) + 0.5 * _xlogy_over(q, m)
    return float(integrate.simpson(integrand, x=x))


def value_function(d: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """V(D, G) = integral of p_data log D + p_g log(1 - D) over the grid `x`."""
    with np.errstate(divide="ignore"):
        log_d = np.where(p_data > 0, np.log(np.clip(d, 1e-300, 1)), 0.0)
        log_not_d = np.where(p_g > 0, np.log(np.clip(1 - d, 1e-300, 1)), 0.0)
    return float(integrate.simpson(p_data * log_d + p_g * log_not_d, x=x))


def mass_interval(density: np.ndarray, x: np.ndarray, mass: float = 0.99) -> tuple[float, float]:
    """The central interval of the grid holding `mass` of a density (equal tails)."""
    cdf = integrate.cumulative_trapezoid(density, x, initial=0.0)
    cdf /= cdf[-1]
    tail = (1 - mass) / 2
    return float(np.interp(tail, cdf, x)), float(np.interp(1 - tail, cdf, x))


@dataclass(frozen=True)
class GeneratorDensity:
    """p_g on a grid, and how it was obtained."""

    values: np.ndarray
    method: str
    """"change of variables" (G monotone, exact) or "kde" (from samples)."""


def density_by_change_of_variables(z: np.ndarray, x_of_z: np.ndarray, p_z: float,
                                   x: np.ndarray) -> np.ndarray | None:
    """p_g(x) = p_z(z) / |dG/dz| at z = G^-1(x), for G sampled on a fine uniform z grid.

    Returns None when G is not strictly monotone on the grid (then use a KDE).
    """
    steps = np.diff(x_of_z)
    if not (np.all(steps > 0) or np.all(steps < 0)):
        return None
    if steps[0] < 0:
        z, x_of_z = z[::-1], x_of_z[::-1]
    slope = np.gradient(x_of_z, z)  # dG/dz by central differences
    density = p_z / np.abs(slope)
    inside = (x >= x_of_z[0]) & (x <= x_of_z[-1])
    return np.where(inside, np.interp(x, x_of_z, density), 0.0)


def density_by_kde(samples: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A Gaussian KDE (Scott's bandwidth) of 1-D samples, evaluated on `x`."""
    return stats.gaussian_kde(samples.astype(np.float64))(x)


def generator_density(G: Callable[[np.ndarray], np.ndarray], z_low: float, z_high: float,
                      x: np.ndarray, *, sample: Callable[[int], np.ndarray],
                      kde_samples: int = 100_000, grid_points: int = 200_001
                      ) -> GeneratorDensity:
    """p_g on `x` for z ~ U(z_low, z_high): exact when G is monotone, else a KDE of samples."""
    z = np.linspace(z_low, z_high, grid_points)
    exact = density_by_change_of_variables(z, G(z), 1.0 / (z_high - z_low), x)
    if exact is not None:
        return GeneratorDensity(exact, "change of variables")
    return GeneratorDensity(density_by_kde(sample(kde_samples), x), "kde")
