import numpy as np
import pytest
import torch
from scipy import linalg

from ganforge.metrics.frechet import frechet_distance, frechet_terms, kernel_distance
from ganforge.metrics.keys import FRECHET_DISTANCE, KID


def _normal(n, dim, seed, mean=0.0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, dim, generator=g, dtype=torch.float64) * scale + mean


def test_identical_sets_are_at_distance_zero():
    features = _normal(500, 8, 0)
    assert frechet_distance(features, features)[FRECHET_DISTANCE] == pytest.approx(0, abs=1e-6)


def test_two_gaussians_match_the_closed_form():
    # Fit exactly: the distance between the two sets' own Gaussians, by the closed form with
    # scipy's matrix square root as an independent reference.
    a = _normal(4000, 4, 1)
    b = _normal(4000, 4, 2, mean=torch.tensor([1.0, 0.0, -0.5, 2.0]), scale=1.5)
    mu_a, mu_b = a.mean(0).numpy(), b.mean(0).numpy()
    cov_a, cov_b = np.cov(a.numpy(), rowvar=False), np.cov(b.numpy(), rowvar=False)
    root = linalg.sqrtm(cov_a @ cov_b).real
    expected = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root)
    assert frechet_distance(a, b)[FRECHET_DISTANCE] == pytest.approx(expected, rel=1e-6)
    # And near the population value: |mu|^2 + d (1 + 1.5^2 - 2 * 1.5) = 5.25 + 4 * 0.25.
    assert expected == pytest.approx(6.25, rel=0.05)


def test_the_terms_split_the_distance_into_a_shift_and_a_spread():
    real = _normal(4000, 4, 1)
    shift = torch.tensor([1.0, 0.0, -0.5, 2.0])
    # Moved by `shift`, the same spread: the mean term is |shift|^2 = 5.25 (exactly, since the
    # same points are moved), the covariance term zero.
    moved = frechet_terms(real, real + shift)
    assert moved.mean == pytest.approx(5.25, rel=1e-9)
    assert moved.covariance == pytest.approx(0, abs=1e-6)
    assert moved.spread_ratio == pytest.approx(1, rel=1e-9)
    # Shrunk about its centre by half: no shift, variance a quarter, and the covariance term
    # Tr(S + S/4 - 2 (S S/4)^1/2) = Tr(S + S/4 - S) = Tr(S) / 4, about 4 * 1/4 = 1.
    centre = real.mean(dim=0)
    shrunk = frechet_terms(real, centre + (real - centre) * 0.5)
    assert shrunk.mean == pytest.approx(0, abs=1e-12)
    assert shrunk.spread_ratio == pytest.approx(0.25, rel=1e-9)
    assert shrunk.covariance == pytest.approx(float(real.var(dim=0).sum()) / 4, rel=1e-6)
    # The two terms add up to the distance itself.
    other = _normal(4000, 4, 2, mean=shift, scale=1.5)
    terms = frechet_terms(real, other)
    assert terms.total == pytest.approx(frechet_distance(real, other)[FRECHET_DISTANCE],
                                        rel=1e-12)
    assert terms.spread_ratio == pytest.approx(2.25, rel=0.1)


def test_kid_is_near_zero_for_one_distribution_and_not_for_two():
    same = kernel_distance(_normal(2000, 8, 3), _normal(2000, 8, 4), subset_size=500)[KID]
    apart = kernel_distance(_normal(2000, 8, 3), _normal(2000, 8, 5, mean=0.5),
                            subset_size=500)[KID]
    assert abs(same) < 0.01 and apart > 0.1


def test_kid_is_reproducible_with_a_seed():
    a, b = _normal(1200, 4, 6), _normal(1200, 4, 7, mean=0.2)
    assert kernel_distance(a, b, seed=3) == kernel_distance(a, b, seed=3)
