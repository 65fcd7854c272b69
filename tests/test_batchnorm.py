"""ganforge.batchnorm: G's BatchNorm statistics measured on its own batches, against a hand
computation; and measuring on load (`load_generator(measure_batchnorm=N)`)."""

from pathlib import Path

import pytest
import torch
from torch import Tensor

import ganforge
from ganforge.batchnorm import (
    MEASURE_SEED,
    BatchNormMeasurement,
    batchnorm_layers,
    measure_batchnorm,
    training_batch_size,
)
from ganforge.config import RunConfig, apply_overrides
from ganforge.errors import ConfigError


def test_measured_batchnorm_statistics_are_those_of_g_s_own_batches(batchnorm_run: Path) -> None:
    generator = ganforge.load_generator(batchnorm_run, device="cpu")
    norms = [module for module in generator.network.modules()
             if isinstance(module, torch.nn.modules.batchnorm._BatchNorm)]
    assert norms
    kept = [(norm.running_mean.clone(), norm.running_var.clone()) for norm in norms]
    # By hand: the same noise and classes through a copy in training mode, each BatchNorm's
    # input caught; its statistics are the mean over batches of each batch's own.
    twin = ganforge.load_generator(batchnorm_run, device="cpu")
    caught: dict[int, list[Tensor]] = {index: [] for index in range(len(norms))}
    twin_norms = [module for module in twin.network.modules()
                  if isinstance(module, torch.nn.modules.batchnorm._BatchNorm)]
    for index, norm in enumerate(twin_norms):
        norm.register_forward_hook(lambda module, inputs, output, index=index:
                                   caught[index].append(inputs[0].detach()))
    twin.network.train()
    draw = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for batch in range(4):
            z = twin.prior.sample(16, generator=draw)
            twin.network(z, twin.draw_labels(16, seed=3 + batch))

    measurement = measure_batchnorm(generator, batches=4, batch_size=16, seed=3)
    assert generator.batchnorm_measured is measurement
    assert measurement.to_record() == {"batches": 4, "batch_size": 16, "seed": 3}
    moved = measurement.moved
    assert len(moved) == len(norms)
    for index, norm in enumerate(norms):
        ratio = norm.running_var / kept[index][1]
        assert moved[index]["variance_ratio"]["median"] == pytest.approx(float(ratio.median()))
        assert moved[index]["mean_shift"] == pytest.approx(float(
            ((norm.running_mean - kept[index][0]).abs() / kept[index][1].sqrt()).mean()))
        means = torch.stack([x.mean(dim=0) for x in caught[index]])
        variances = torch.stack([x.var(dim=0) for x in caught[index]])  # unbiased, as BatchNorm
        assert torch.allclose(norm.running_mean, means.mean(dim=0), atol=1e-5)
        assert torch.allclose(norm.running_var, variances.mean(dim=0), atol=1e-5)
        assert norm.momentum == 0.1  # restored after update_bn's cumulative average
        assert not torch.allclose(norm.running_var, kept[index][1])  # the check can fail
    assert not generator.network.training  # left as it samples


def test_a_g_without_batchnorm_or_without_batches_is_refused_in_one_line(
        digits_run: Path, batchnorm_run: Path) -> None:
    with pytest.raises(ConfigError, match="no BatchNorm layers.*nothing to measure"):
        ganforge.load_generator(digits_run, device="cpu", measure_batchnorm=2)
    generator = ganforge.load_generator(batchnorm_run, device="cpu")
    with pytest.raises(ConfigError, match="at least 1 batch of at least 2 samples"):
        measure_batchnorm(generator, batches=0)
    assert generator.batchnorm_measured is None  # refused before anything changed


def test_measuring_on_load_uses_its_own_noise_at_temperature_1(batchnorm_run: Path) -> None:
    def statistics(sampler: ganforge.Sampler) -> list[Tensor]:
        return [buffer.clone() for norm in batchnorm_layers(sampler.network).values()
                for buffer in (norm.running_mean, norm.running_var)]

    kept = ganforge.load_generator(batchnorm_run, device="cpu")
    assert kept.batchnorm_measured is None
    on_load = ganforge.load_generator(batchnorm_run, device="cpu", measure_batchnorm=3,
                                      temperature=0.5)
    # Batches as large as G trained on (the run's train.batch_size), on the library's seed.
    assert on_load.batchnorm_measured == BatchNormMeasurement(3, kept.config.train.batch_size,
                                                     MEASURE_SEED)
    assert on_load.temperature == 0.5  # the sampler's own, not the measurement's
    by_hand = ganforge.load_generator(batchnorm_run, device="cpu")
    measure_batchnorm(by_hand, 3, seed=MEASURE_SEED)  # at the sampler's temperature, 1
    for measured, twin, before in zip(statistics(on_load), statistics(by_hand),
                                      statistics(kept), strict=True):
        assert torch.equal(measured, twin)
        assert not torch.equal(measured, before)
    other_seed = ganforge.load_generator(batchnorm_run, device="cpu")
    measure_batchnorm(other_seed, 3, seed=0)
    assert not all(torch.equal(a, b) for a, b in zip(statistics(on_load),
                                                     statistics(other_seed), strict=True))
    assert "batchnorm measured on 3 batches" in repr(on_load)
    assert not torch.equal(on_load.sample(8, seed=0), kept.sample(8, seed=0))


def test_the_batches_are_as_large_as_g_trained_on_then() -> None:
    config = apply_overrides(RunConfig(), {"train.batch_size": "64",
                                           "train.late_batch_size": "256",
                                           "train.late_batch_step": "1000"})
    assert training_batch_size(config, 1000) == 64  # the late batch's first step is 1001
    assert training_batch_size(config, 1001) == 256
    assert training_batch_size(RunConfig(), 10**6) == RunConfig().train.batch_size
