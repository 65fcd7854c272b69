import math

import pytest
import torch

from ganforge.metrics.keys import PARZEN_LOG_LIKELIHOOD, PARZEN_SIGMA, PARZEN_STANDARD_ERROR
from ganforge.metrics.parzen import parzen_evaluate, parzen_log_likelihoods, select_sigma


def _gaussian(n, dim, seed):
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_one_sample_window_is_the_gaussian_density_around_it():
    sample = torch.tensor([[0.5, -1.0, 2.0]])
    point = torch.tensor([[0.0, 0.0, 1.0]])
    sigma = 0.7
    squared = float(((point - sample) ** 2).sum())
    expected = -squared / (2 * sigma**2) - 1.5 * math.log(2 * math.pi * sigma**2)
    assert parzen_log_likelihoods(sample, point, [sigma])[0, 0].item() == \
        pytest.approx(expected, abs=1e-12)


def test_estimate_approaches_the_true_log_density_as_samples_grow():
    # Samples of N(0, I) in 2-D: with many samples and a small window the Parzen estimate
    # converges to log N(x; 0, (1 + sigma^2) I), the density smoothed by the window.
    points = _gaussian(200, 2, seed=1) * 0.5
    sigma = 0.15
    truth = (-(points**2).sum(1) / (2 * (1 + sigma**2)) - math.log(2 * math.pi * (1 + sigma**2)))
    errors = []
    for n in (1_000, 10_000, 100_000):
        estimate = parzen_log_likelihoods(_gaussian(n, 2, seed=2), points, [sigma])[0]
        errors.append(float((estimate - truth).abs().mean()))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.02


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 10_000])
def test_chunk_size_does_not_change_the_result(chunk_size):
    samples, points = _gaussian(500, 5, 3), _gaussian(97, 5, 4)
    reference = parzen_log_likelihoods(samples, points, [0.3, 1.0], chunk_size=97)
    assert torch.allclose(parzen_log_likelihoods(samples, points, [0.3, 1.0],
                                                 chunk_size=chunk_size), reference, rtol=0,
                          atol=1e-10)


def test_sigma_is_chosen_on_validation_and_refined_between_grid_points():
    samples = _gaussian(2000, 3, 5) * 0.3
    sigma, scores = select_sigma(samples, _gaussian(300, 3, 6) * 0.3)
    assert 0.05 <= sigma <= 1.0
    assert scores[sigma] == max(scores.values())
    assert len(scores) > 20  # the coarse grid and its refinement


def test_protocol_reports_mean_and_standard_error():
    samples, validation, test = _gaussian(3000, 2, 7), _gaussian(300, 2, 8), _gaussian(400, 2, 9)
    result = parzen_evaluate(samples, validation, test)
    values = parzen_log_likelihoods(samples, test, [result[PARZEN_SIGMA]])[0]
    assert result[PARZEN_LOG_LIKELIHOOD] == pytest.approx(float(values.mean()))
    assert result[PARZEN_STANDARD_ERROR] == pytest.approx(float(values.std() / 20))


def test_the_chosen_sigma_scores_as_well_as_a_dense_scan():
    samples, validation = _gaussian(2000, 3, 5) * 0.3, _gaussian(300, 3, 6) * 0.3
    sigma, scores = select_sigma(samples, validation)
    dense = torch.logspace(math.log10(0.05), math.log10(1.0), 400, dtype=torch.float64)
    scan = parzen_log_likelihoods(samples, validation, dense.tolist()).mean(1)
    assert scores[sigma] >= float(scan.max()) - 1e-3  # nats: the refined grid misses nothing
    assert scores[sigma] == pytest.approx(
        float(parzen_log_likelihoods(samples, validation, [sigma]).mean()), abs=1e-9)


def test_exponentials_in_float32_match_logsumexp_in_float64():
    samples, points = _gaussian(3000, 10, 11), _gaussian(50, 10, 12)
    squared = torch.cdist(points, samples).pow(2)
    for sigma in (0.05, 0.3, 2.0):
        reference = torch.logsumexp(-squared / (2 * sigma**2), 1) - math.log(3000) \
            - 5 * math.log(2 * math.pi * sigma**2)
        torch.testing.assert_close(parzen_log_likelihoods(samples, points, [sigma])[0],
                                   reference, rtol=0, atol=1e-6)
