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


class _Counting(nn.Module):
    """A discriminator that counts the samples it judges."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network, self.judged = network, 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.judged += len(x)
        return self.network(x)


def test_another_quantile_reuses_the_pool_and_sets_m_as_a_fresh_pool_would():
    generator, optimal = _shifted_gaussians()
    generator.temperature = 1.5  # the pool was drawn at it, so the derived sampler keeps it
    counting = _Counting(optimal)
    median = RejectionSampler(generator, counting, quantile=0.5, pool_size=4_000)
    assert counting.judged == 4_000
    upper = median.at_quantile(0.9)
    assert counting.judged == 4_000  # no sample drawn or judged again
    fresh = RejectionSampler(generator, optimal, quantile=0.9, pool_size=4_000)
    assert upper.log_m == fresh.log_m and upper.log_m > median.log_m
    assert (upper.quantile, upper.temperature) == (0.9, 1.5)
    # Its own counts: the derived sampler keeps no share of the first one's draws.
    median.sample(1_000, seed=4)
    assert math.isnan(upper.acceptance_rate)
    with pytest.raises(ConfigError, match="rejection quantile must be in"):
        median.at_quantile(0.0)


class _ClassShift(nn.Module):
    """G(z, y) = z + offset[y]: p_g(x | y) = N(offset[y], 1)."""

    def __init__(self, offsets: list[float]) -> None:
        super().__init__()
        # A parameter, not a buffer: a Sampler finds its device from G's parameters.
        self.offsets = nn.Parameter(torch.tensor(offsets), requires_grad=False)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return z + self.offsets[labels].unsqueeze(1)


class _ClassLogit(nn.Module):
    """D(x, y) with logit slope[y] * x + bias[y]."""

    def __init__(self, slopes: list[float], biases: list[float]) -> None:
        super().__init__()
        self.register_buffer("slopes", torch.tensor(slopes))
        self.register_buffer("biases", torch.tensor(biases))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.slopes[labels] * x.view(-1) + self.biases[labels]


def _conditional(network: nn.Module, class_prior: list[float] | None = None) -> Sampler:
    return Sampler(network, Prior("gaussian", 1), value_range=None, config=RunConfig(),
                   sample_shape=(1,), num_classes=2, class_prior=class_prior)


def test_a_conditional_optimal_discriminator_gives_each_class_its_data_distribution():
    # p_g(x | y) = N(0, 1) for both classes; p_data(x | 0) = N(1, 1), p_data(x | 1) = N(-1, 1).
    # log p_data(x | y) / p_g(x | y) is x - 1/2 for class 0 and -x - 1/2 for class 1.
    generator = _conditional(_ClassShift([0.0, 0.0]))
    optimal = _ClassLogit([1.0, -1.0], [-0.5, -0.5])
    rejection = RejectionSampler(generator, optimal, quantile=1.0)
    assert rejection.num_classes == 2 and rejection.conditional
    for label, mean in ((0, 1.0), (1, -1.0)):
        kept = rejection.sample(20_000, seed=label, labels=label).view(-1)
        assert abs(kept.mean() - mean) < 0.04 and abs(kept.std() - 1.0) < 0.04
    with pytest.raises(ConfigError, match="class must be in 0..1"):
        rejection.sample(4, labels=2)


def test_each_sample_keeps_its_class_however_unevenly_d_rejects_the_classes():
    # The classes lie apart (class 1 around 10); D keeps class 0 always and class 1 about one
    # time in 20 (logit -3 against M = 1). Clusters drawn by their shares, 0.3 / 0.7, must still
    # come out 0.3 / 0.7: a rejected sample is drawn again in its own class.
    generator = _conditional(_ClassShift([0.0, 10.0]), class_prior=[0.3, 0.7])
    uneven = _ClassLogit([0.0, 0.0], [0.0, -3.0])
    rejection = RejectionSampler(generator, uneven, quantile=1.0)
    assert rejection.log_m == 0.0
    kept = rejection.sample(4_000, seed=0).view(-1)
    assert abs((kept > 5).double().mean().item() - 0.7) < 0.03
    # Kept over drawn: each class-0 sample is kept at once, each class-1 one after 1 / e^-3
    # draws on average (about 1,200 + 2,800 e^3 candidates in all).
    drawn = 4_000 * 0.3 + 4_000 * 0.7 / math.exp(-3.0)
    assert rejection.acceptance_rate == pytest.approx(4_000 / drawn, rel=0.1)
    # The classes asked for are the ones drawn when no labels are given.
    assert torch.equal(rejection.draw_labels(50, seed=0), generator.draw_labels(50, seed=0))


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


def test_a_self_conditioned_run_samples_through_rejection(tmp_path, capsys):
    config = apply_overrides(RunConfig(), {**TINY_OVERRIDES, "model.conditional": "true",
                                           "model.clusters": "4"})
    ganforge.train(config, tmp_path / "run")
    sampler = load_rejection_sampler(tmp_path / "run", quantile=0.9, device="cpu")
    assert sampler.num_classes == 4 and sampler.class_prior is not None
    assert sampler.sample(30, seed=1).shape == (30, 1, 8, 8)
    assert torch.equal(sampler.sample(30, seed=1), sampler.sample(30, seed=1))
    assert sampler.sample(5, seed=1, labels=3).shape == (5, 1, 8, 8)
    assert main(["sample", str(tmp_path / "run"), "--reject", "0.9", "--n", "8",
                 "--out", str(tmp_path / "grid.png")]) == 0
    assert "rejection sampling kept" in capsys.readouterr().err


def test_measured_batchnorm_statistics_are_measured_before_d_judges_the_pool(batchnorm_run):
    measured = load_rejection_sampler(batchnorm_run, quantile=0.9, device="cpu",
                                      measure_batchnorm=2)
    plain = ganforge.load_generator(batchnorm_run, device="cpu", measure_batchnorm=2)
    assert measured.batchnorm_measured == plain.batchnorm_measured is not None
    for ours, theirs in zip(measured.network.buffers(), plain.network.buffers(), strict=True):
        assert torch.equal(ours, theirs)
    kept = load_rejection_sampler(batchnorm_run, quantile=0.9, device="cpu")
    assert kept.batchnorm_measured is None
    assert not torch.equal(measured.pool, kept.pool)  # the pool was drawn with the measured
