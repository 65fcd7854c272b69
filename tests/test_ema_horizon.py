"""benchmarks/ema_horizon.py: extra moving averages of G kept while a copy of a run trains on,
and BatchNorm statistics recomputed for G's own weights."""

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from benchmarks.ema_horizon import ExtraAverages, continue_with_averages, recompute_batchnorm
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

import ganforge
from ganforge.config import RunConfig, apply_overrides
from ganforge.errors import GanforgeError
from ganforge.models.priors import Prior
from ganforge.sampler import Sampler


def test_an_extra_average_starts_from_the_runs_and_follows_the_ema_formula() -> None:
    G = nn.Linear(2, 1)
    own = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)
    trainer = SimpleNamespace(G=G, ema=own)
    extra = ExtraAverages([0.5])
    weights = [torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, -1.0]]),
               torch.tensor([[0.0, 5.0]])]
    expected = None
    for step, weight in enumerate(weights):
        with torch.no_grad():
            G.weight.copy_(weight)
        own.update_parameters(G)  # the trainer updates its own average, then calls back
        extra.on_step_end(trainer, final=step == len(weights) - 1)  # type: ignore[arg-type]
        # The first call copies the run's average; later ones average G in with weight 0.5.
        expected = own.module.weight.detach().clone() if expected is None else \
            0.5 * expected + 0.5 * weight
    assert torch.allclose(extra.averages[0.5].module.weight, expected)
    # The run's own average is not the extra one's: 0.9-averaged, untouched by the extra.
    own_expected = weights[0]
    for weight in weights[1:]:
        own_expected = 0.9 * own_expected + 0.1 * weight
    assert torch.allclose(own.module.weight, own_expected)


def test_extra_averages_need_a_run_that_keeps_one() -> None:
    trainer = SimpleNamespace(G=nn.Linear(2, 1), ema=None)
    with pytest.raises(GanforgeError, match="ema_decay"):
        ExtraAverages([0.99]).on_step_end(trainer, final=False)  # type: ignore[arg-type]


def plain_sampler(network: nn.Module, noise_dim: int, **conditioning: Any) -> Sampler:
    """A Sampler around `network` with a Gaussian prior and no image range."""
    return Sampler(network, Prior("gaussian", noise_dim), value_range=None, config=RunConfig(),
                   sample_shape=(4,), **conditioning)


def test_recomputed_batchnorm_statistics_are_the_mean_of_gs_own_batch_statistics() -> None:
    torch.manual_seed(0)
    linear, norm = nn.Linear(3, 4), nn.BatchNorm1d(4)
    norm.running_mean.fill_(100.0)  # stale statistics, far from G's own
    sampler = plain_sampler(nn.Sequential(linear, norm), 3)
    recompute_batchnorm(sampler, batches=4, batch_size=8, seed=7)
    noise = torch.Generator().manual_seed(7)
    with torch.no_grad():
        batches = [linear(torch.randn(8, 3, generator=noise)) for _ in range(4)]
    mean = torch.stack([batch.mean(0) for batch in batches]).mean(0)
    variance = torch.stack([batch.var(0, unbiased=True) for batch in batches]).mean(0)
    assert torch.allclose(norm.running_mean, mean, atol=1e-6)
    assert torch.allclose(norm.running_var, variance, atol=1e-6)
    assert not sampler.network.training  # left ready to sample


class ClassShift(nn.Module):
    """A conditional G in miniature: each class adds its own offset before a BatchNorm, so the
    statistics depend on the mix of classes drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.offsets = nn.Embedding(2, 4)
        self.norm = nn.BatchNorm1d(4)
        with torch.no_grad():
            self.offsets.weight.copy_(torch.tensor([[0.0] * 4, [10.0] * 4]))

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.norm(z + self.offsets(labels))


def test_a_self_conditioned_g_recomputes_its_statistics_over_clusters_drawn_by_their_shares(
        ) -> None:
    network = ClassShift()
    sampler = plain_sampler(network, 4, num_classes=2, class_prior=[0.2, 0.8])
    recompute_batchnorm(sampler, batches=50, batch_size=200, seed=3)
    # Class 1 adds 10: the mean is near 10 x its share, and the variance holds the mixture's
    # 10^2 x 0.2 x 0.8 = 16 on top of z's 1. Without labels the call would fail.
    assert torch.allclose(network.norm.running_mean, torch.full((4,), 8.0), atol=0.2)
    assert torch.allclose(network.norm.running_var, torch.full((4,), 17.0), atol=1.0)


def test_recomputing_batchnorm_in_a_g_without_it_is_refused() -> None:
    sampler = plain_sampler(nn.Linear(3, 4), 3)
    with pytest.raises(GanforgeError, match="no BatchNorm"):
        recompute_batchnorm(sampler, batches=1, batch_size=2)


def test_a_copy_trains_on_with_its_extra_averages_and_the_run_is_untouched(
        tiny_config: RunConfig, tmp_path: Path) -> None:
    config = apply_overrides(tiny_config, {"train.ema_decay": "0.9"})
    ganforge.train(config, tmp_path / "run", progress=False)
    before = (tmp_path / "run" / "checkpoints" / "latest.pt").read_bytes()
    extra = continue_with_averages(tmp_path / "run", tmp_path / "copy", 10, [0.99, 0.999])
    assert ganforge.load_generator(tmp_path / "copy").step == 30
    assert (tmp_path / "run" / "checkpoints" / "latest.pt").read_bytes() == before
    assert ganforge.load_generator(tmp_path / "run").step == 20
    own = ganforge.load_generator(tmp_path / "copy").network
    assert sorted(extra.averages) == [0.99, 0.999]
    for average in extra.averages.values():  # slower than the run's 0.9: not its weights
        assert not torch.equal(next(average.module.parameters()), next(own.parameters()))
    # The copy's log goes on from the run's: every step once.
    lines = (tmp_path / "copy" / "train.jsonl").read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == list(range(1, 31))
