import numpy as np
import pytest
import torch

from ganforge.metrics.keys import COVERAGE, DENSITY, PRECISION, RECALL
from ganforge.metrics.precision_recall import precision_recall_density_coverage


def _brute_force(real, fake, k):
    """Precision, recall, density and coverage straight from their definitions."""
    def distances(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))

    radius_real = np.sort(distances(real, real), axis=1)[:, k]  # k-th neighbour (self at 0)
    radius_fake = np.sort(distances(fake, fake), axis=1)[:, k]
    real_fake = distances(real, fake)  # [real, fake]
    precision = (real_fake < radius_real[:, None]).any(0).mean()
    recall = (real_fake < radius_fake[None, :]).any(1).mean()
    density = (real_fake < radius_real[:, None]).sum(0).mean() / k
    coverage = (real_fake.min(1) < radius_real).mean()
    return precision, recall, density, coverage


def test_matches_the_definitions_on_two_standard_normal_sets():
    g = torch.Generator().manual_seed(0)
    real = torch.randn(600, 16, generator=g, dtype=torch.float64)
    fake = torch.randn(600, 16, generator=g, dtype=torch.float64)
    result = precision_recall_density_coverage(real, fake, nearest_k=5)
    expected = _brute_force(real.numpy(), fake.numpy(), 5)
    for key, value in zip((PRECISION, RECALL, DENSITY, COVERAGE), expected, strict=True):
        assert result[key] == pytest.approx(value, abs=1e-12), key
    # Same distribution: precision and recall alike, density near 1, coverage high.
    assert abs(result[PRECISION] - result[RECALL]) < 0.1
    assert 0.8 < result[DENSITY] < 1.2 and result[COVERAGE] > 0.9


def test_a_collapsed_generator_keeps_precision_but_loses_recall_and_coverage():
    g = torch.Generator().manual_seed(1)
    real = torch.randn(500, 8, generator=g, dtype=torch.float64)
    collapsed = real[:10].repeat(50, 1) + 1e-3 * torch.randn(500, 8, generator=g,
                                                             dtype=torch.float64)
    result = precision_recall_density_coverage(real, collapsed)
    assert result[PRECISION] > 0.95
    # Recall: only the 10 copied points lie inside the fakes' tiny balls (10/500 = 0.02).
    # Coverage: a real point is covered when one of the 10 copies is among its 5 nearest
    # neighbours, about 10 x (5 + 1) / 500 = 0.12 of them.
    assert result[RECALL] == pytest.approx(0.02)
    assert result[COVERAGE] < 0.2
