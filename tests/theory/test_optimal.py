import math

import numpy as np
import pytest
from scipy import integrate, stats

from ganforge.theory.optimal import (
    density_by_change_of_variables,
    jensen_shannon,
    mass_interval,
    optimal_discriminator,
    value_function,
)

X = np.linspace(-12, 14, 52_001)


def test_optimal_discriminator_on_two_gaussians_is_a_logistic_in_x():
    # p_g / p_data = exp(x - 1/2) for N(1, 1) against N(0, 1), so D* = sigmoid(1/2 - x).
    d_star = optimal_discriminator(stats.norm.pdf(X, 0, 1), stats.norm.pdf(X, 1, 1))
    inside = np.abs(X) < 8
    assert np.allclose(d_star[inside], 1 / (1 + np.exp(X[inside] - 0.5)), atol=1e-12)


def test_optimal_discriminator_limits():
    p = np.array([0.3, 0.0, 0.2, 0.0])
    q = np.array([0.3, 0.5, 0.0, 0.0])
    assert optimal_discriminator(p, q).tolist() == [0.5, 0.0, 1.0, 0.5]


def _uniform(low, high):
    return np.where((X >= low) & (X <= high), 1 / (high - low), 0.0)


@pytest.mark.parametrize("p,q,expected", [
    (_uniform(0, 1), _uniform(0, 1), 0.0),
    (_uniform(0, 1), _uniform(2, 3), math.log(2)),           # disjoint supports
    (_uniform(0, 1), _uniform(0.5, 1.5), 0.5 * math.log(2)),  # half overlap
])
def test_jensen_shannon_known_values(p, q, expected):
    assert jensen_shannon(p, q, X) == pytest.approx(expected, abs=2e-3)


def test_jensen_shannon_of_gaussians_matches_adaptive_quadrature():
    p, q = stats.norm(0, 1), stats.norm(1.5, 0.7)

    def integrand(x):
        m = 0.5 * (p.pdf(x) + q.pdf(x))
        return 0.5 * p.pdf(x) * np.log(p.pdf(x) / m) + 0.5 * q.pdf(x) * np.log(q.pdf(x) / m)

    reference, _ = integrate.quad(integrand, -15, 15, limit=200)
    assert jensen_shannon(p.pdf(X), q.pdf(X), X) == pytest.approx(reference, abs=1e-8)


def test_value_at_the_optimum_is_minus_log4_plus_twice_the_jsd():
    p_data, p_g = stats.norm.pdf(X, 0, 1), stats.norm.pdf(X, 1, 1.3)
    d_star = optimal_discriminator(p_data, p_g)
    value = value_function(d_star, p_data, p_g, X)
    assert value == pytest.approx(-math.log(4) + 2 * jensen_shannon(p_data, p_g, X), abs=1e-8)
    # Any other D does worse (D* maximizes V).
    assert value_function(np.clip(d_star + 0.05, 0, 1), p_data, p_g, X) < value


def test_change_of_variables_gives_exact_densities():
    z = np.linspace(-1, 1, 20_001)  # z ~ U(-1, 1), density 1/2
    affine = density_by_change_of_variables(z, 2 * z + 1, 0.5, X)
    assert np.allclose(affine[(X > -0.99) & (X < 2.99)], 0.25)
    assert np.all(affine[(X < -1.01) | (X > 3.01)] == 0)
    exponential = density_by_change_of_variables(z, np.exp(z), 0.5, X)  # p(x) = 1 / (2x)
    inside = (X > np.exp(-1) + 0.01) & (X < np.e - 0.01)
    assert np.allclose(exponential[inside], 0.5 / X[inside], rtol=1e-4)
    decreasing = density_by_change_of_variables(z, -3 * z, 0.5, X)
    assert np.allclose(decreasing[np.abs(X) < 2.9], 1 / 6)


def test_non_monotone_g_falls_back_to_none():
    z = np.linspace(-1, 1, 1001)
    assert density_by_change_of_variables(z, z**2, 0.5, X) is None


def test_mass_interval_of_a_standard_normal():
    low, high = mass_interval(stats.norm.pdf(X), X, 0.99)
    assert low == pytest.approx(-2.5758, abs=1e-3) and high == pytest.approx(2.5758, abs=1e-3)
