"""benchmarks/batchnorm_stats.py: G's BatchNorm statistics measured on its own batches, by hand."""

from pathlib import Path

import pytest
import torch
from benchmarks.batchnorm_stats import measure_batchnorm
from torch import Tensor

import ganforge
from ganforge.errors import GanforgeError


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

    moved = measure_batchnorm(generator, batches=4, batch_size=16, seed=3)
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


def test_a_g_without_batchnorm_is_refused_in_one_line(digits_run: Path) -> None:
    generator = ganforge.load_generator(digits_run, device="cpu")
    with pytest.raises(GanforgeError, match="no BatchNorm layers.*nothing to measure"):
        measure_batchnorm(generator, batches=2)
