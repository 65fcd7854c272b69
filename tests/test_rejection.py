"""Discriminator rejection sampling: with the optimal D it turns p_g into p_data; refusals."""

import json
import math

import pytest
import torch
from torch import nn

import ganforge
from ganforge.cli import main
from ganforge.config import RunConfig, apply_overrides
from ganforge.errors import ConfigError
from ganforge.models.priors import Prior
from ganforge.rejection import RejectionSampler, load_rejection_sampler
from ganforge.sampler import Sampler
from tests.conftest import TINY_OVERRIDES


def _shifted_gaussians() -> tuple[Sampler, nn.Module]:
    """G: z ~ N(0, 1) passed through unchanged, so p_g = N(0, 1); p_data = N(1, 1). Then
    log p_data(x) / p_g(x) = x - 1/2, and D* is the logistic unit with that logit."""
    identity = nn.Linear(1, 1)
    optimal = nn.Linear(1, 1)
    with torch.no_grad():
        identity.weight.fill_(1.0), identity.bias.zero_()
        optimal.weight.fill_(1.0), optimal.bias.fill_(-0.5)
    generator = Sampler(identity, Prior("gaussian", 1), value_range=None, config=RunConfig(),
                        sample_shape=(1,))
    return generator, nn.Sequential(optimal, nn.Flatten(0))


def test_the_optimal_discriminator_turns_p_g_into_p_data():
    generator, optimal = _shifted_gaussians()
    rejection = RejectionSampler(generator, optimal, quantile=1.0)
    kept = rejection.sample(20_000, seed=1).view(-1)
    plain = generator.sample(20_000, seed=1).view(-1)
    # p_data = N(1, 1); the pool's largest ratio caps the correction only beyond x ~ 4.
    assert abs(plain.mean()) < 0.03
    assert abs(kept.mean() - 1.0) < 0.03 and abs(kept.std() - 1.0) < 0.03
    # log M: the largest of the pool's log ratios x - 1/2 (10,000 normals: ~3.9 - 0.5).
    assert 2.5 < rejection.log_m < 4.5


def test_the_acceptance_rate_is_the_mean_of_min_1_ratio_over_m():
    generator, optimal = _shifted_gaussians()
    rejection = RejectionSampler(generator, optimal, quantile=0.5)
    rejection.sample(20_000, seed=2)
    # E_pg[min(1, exp(x - 1/2 - log M))] for x ~ N(0, 1), M the pool's median ratio, by
    # quadrature over the normal density.
    x = torch.linspace(-8, 8, 160_001, dtype=torch.float64)
    density = torch.exp(-x**2 / 2) / math.sqrt(2 * math.pi)
    accept = torch.clamp(torch.exp(x - 0.5 - rejection.log_m), max=1.0)
    expected = float((density * accept).sum() * (x[1] - x[0]))
    assert abs(rejection.log_m - (-0.5)) < 0.05  # the median of x - 1/2
    assert rejection.acceptance_rate == pytest.approx(expected, abs=0.01)


def test_a_seed_draws_the_same_samples_and_quantiles_outside_0_1_are_refused():
    generator, optimal = _shifted_gaussians()
    rejection = RejectionSampler(generator, optimal, quantile=0.9)
    assert torch.equal(rejection.sample(500, seed=3), rejection.sample(500, seed=3))
    for quantile in (0.0, 1.5, math.nan):
        with pytest.raises(ConfigError, match="rejection quantile must be in"):
            RejectionSampler(generator, optimal, quantile=quantile)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("rejection") / "run"
    ganforge.train(apply_overrides(RunConfig(), TINY_OVERRIDES), run_dir)
    return run_dir


def test_a_run_samples_and_is_scored_through_rejection(tiny_run, tmp_path, quick_classifier,
                                                       capsys):
    sampler = load_rejection_sampler(tiny_run, quantile=0.9, device="cpu")
    images = sampler.sample(50, seed=0)
    assert images.shape == (50, 1, 8, 8) and 0 <= images.min() and images.max() <= 1
    assert 0 < sampler.acceptance_rate <= 1
    assert main(["sample", str(tiny_run), "--reject", "0.9", "--n", "16",
                 "--out", str(tmp_path / "grid.png")]) == 0
    assert "rejection sampling kept" in capsys.readouterr().err
    assert main(["evaluate", str(tiny_run), "--metrics", "fd", "--n-samples", "100",
                 "--reject", "0.9"]) == 0
    record = json.loads((tiny_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert record["rejection"]["quantile"] == 0.9
    assert 0 < record["rejection"]["acceptance_rate"] <= 1
    with pytest.raises(ConfigError, match="reject= applies to a run folder"):
        ganforge.evaluate(sampler, metrics=["fd"], reject=0.9)


def test_runs_whose_d_is_not_a_density_ratio_are_refused(tiny_run, tmp_path, capsys):
    config = json.loads((tiny_run / "config.json").read_text())
    hinge = tmp_path / "hinge"
    hinge.mkdir()
    payload = torch.load(tiny_run / "checkpoints" / "latest.pt", weights_only=True)
    payload["config"]["loss"]["name"] = "hinge"
    torch.save(payload, hinge / "last.pt")
    with pytest.raises(ConfigError, match="logistic objectives"):
        load_rejection_sampler(hinge / "last.pt", device="cpu")
    assert config["loss"]["name"] in ("minimax", "nonsaturating")
    assert main(["sample", str(tiny_run), "--reject", "0.9", "--interpolate", "4",
                 "--out", str(tmp_path / "walk.png")]) == 2
    assert "--reject keeps or drops whole samples" in capsys.readouterr().err
