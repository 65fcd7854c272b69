import numpy as np
import torch
from scipy import integrate

from ganforge.data.toy import gaussian_mixture_1d, grid_2d, ring_2d


def test_1d_mixture_density_integrates_to_one_and_matches_its_cdf():
    mixture = gaussian_mixture_1d((-2.0, 3.0), (0.5, 1.0), (1.0, 3.0))
    total, _ = integrate.quad(lambda x: mixture.pdf(np.array([x]))[0], -20, 20)
    assert abs(total - 1) < 1e-8
    area, _ = integrate.quad(lambda x: mixture.pdf(np.array([x]))[0], -20, 1.0)
    assert abs(area - mixture.cdf(np.array([1.0]))[0]) < 1e-8


def test_1d_mixture_samples_follow_the_weights():
    mixture = gaussian_mixture_1d((-10.0, 10.0), (1.0, 1.0), (1.0, 3.0))
    x = mixture.sample(40_000, torch.Generator().manual_seed(0))
    assert abs((x > 0).float().mean().item() - 0.75) < 0.01


def test_ring_and_grid_geometry():
    ring = ring_2d(8, 1.0, 0.01)
    assert np.allclose(np.linalg.norm(ring.means.numpy(), axis=1), 1.0)
    grid = grid_2d(5, 2.0, 0.05)
    assert sorted(set(grid.means[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    points = grid.sample(1000, torch.Generator().manual_seed(0))
    nearest = torch.cdist(points.double(), grid.means).min(1).values
    assert nearest.max() < 0.05 * 5
