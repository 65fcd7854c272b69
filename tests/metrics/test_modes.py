import math

import torch

from ganforge.data.toy import grid_2d, ring_2d
from ganforge.metrics.keys import HIGH_QUALITY_FRACTION, MODE_REVERSE_KL, MODES_CAPTURED
from ganforge.metrics.modes import mode_coverage

RING = ring_2d(8, 1.0, 0.01)


def test_points_on_five_modes_plus_outliers():
    on_modes = RING.means[:5].repeat(4, 1)  # 20 points, 4 on each of 5 modes
    outliers = torch.tensor([[0.0, 0.0], [3.0, 3.0], [0.5, 0.5], [-2.0, 0.1], [0.0, 0.7]])
    result = mode_coverage(torch.cat([on_modes, outliers]), RING.means, 0.01)
    assert result[MODES_CAPTURED] == 5
    assert result[HIGH_QUALITY_FRACTION] == 20 / 25
    # 5 equally used modes of 8: KL(q || uniform) = log(8 / 5).
    assert math.isclose(result[MODE_REVERSE_KL], math.log(8 / 5), rel_tol=1e-12)


def test_full_uniform_coverage_has_zero_reverse_kl_and_collapse_has_log_m():
    grid = grid_2d(5, 2.0, 0.05)
    uniform = mode_coverage(grid.means.repeat(3, 1), grid.means, 0.05)
    assert uniform[MODES_CAPTURED] == 25 and uniform[MODE_REVERSE_KL] == 0.0
    collapsed = mode_coverage(grid.means[:1].repeat(10, 1), grid.means, 0.05)
    assert collapsed[MODES_CAPTURED] == 1
    assert math.isclose(collapsed[MODE_REVERSE_KL], math.log(25))


def test_quality_threshold_is_three_standard_deviations():
    mode = RING.means[0]
    inside = (mode + torch.tensor([0.0, 0.0299])).unsqueeze(0)
    outside = (mode + torch.tensor([0.0, 0.0301])).unsqueeze(0)
    assert mode_coverage(inside, RING.means, 0.01)[HIGH_QUALITY_FRACTION] == 1.0
    result = mode_coverage(outside, RING.means, 0.01)
    assert result[HIGH_QUALITY_FRACTION] == 0.0 and result[MODES_CAPTURED] == 0
    assert result[MODE_REVERSE_KL] == float("inf")


def test_samples_of_the_true_mixture_score_as_expected():
    samples = RING.sample(20_000, torch.Generator().manual_seed(0))
    result = mode_coverage(samples, RING.means, 0.01)
    assert result[MODES_CAPTURED] == 8
    # A 2-D Gaussian keeps 1 - exp(-9/2) = 98.9% of its mass within 3 standard deviations.
    assert abs(result[HIGH_QUALITY_FRACTION] - (1 - math.exp(-4.5))) < 0.003
    assert result[MODE_REVERSE_KL] < 1e-3
