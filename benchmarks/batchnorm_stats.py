"""Measuring G's BatchNorm statistics on its own activations, for the studies of what the
moving average of G's weights does to its samples (`fd_terms.py --measure-batchnorm N`,
`temperature.py --measure-batchnorm N`).

Training keeps, beside the averaged weights, running statistics averaged over steps like the
weights (`AveragedModel(use_buffers=True)`); they need not be the statistics of the averaged
network's own activations. `measure_batchnorm` replaces them with those (BigGAN's "standing
statistics"), so a study can score both.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.optim.swa_utils import update_bn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.quality_vs_peer import at_least_one  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.sampler import Sampler  # noqa: E402

MEASURE_BATCH_SIZE = 64  # the presets' batch: a BatchNorm's input depends on the batch's
# size through the BatchNorms before it, each normalising a batch by its own statistics


def add_measure_option(parser: argparse.ArgumentParser) -> None:
    """`--measure-batchnorm N`, shared by the studies that take it: N >= 1 batches; without it
    the statistics training kept are used."""
    parser.add_argument("--measure-batchnorm", type=at_least_one, default=0, metavar="N",
                        help="first measure G's BatchNorm statistics on its own activations, "
                             f"over N batches of {MEASURE_BATCH_SIZE} draws at T = 1 "
                             "(the study is keyed KEY/measure-batchnorm=N)")


def measured_key(key: str, batches: int) -> str:
    """A study's results key: `key` itself, or KEY/measure-batchnorm=N when the statistics
    were measured on N batches (0: kept as trained)."""
    return f"{key}/measure-batchnorm={batches}" if batches else key


class _DrawsClasses(nn.Module):
    """G as `update_bn` calls it, on a batch of noise alone: a conditional G's classes are
    drawn as its samples' are (`Sampler.draw_labels`), with a seed per batch."""

    def __init__(self, generator: Sampler, seed: int) -> None:
        super().__init__()
        self.network = generator.network  # a submodule, so update_bn finds its BatchNorms
        self.generator = generator
        self.seeds = itertools.count(seed)

    def forward(self, z: Tensor) -> Tensor:
        return self.generator.decode(z, self.generator.draw_labels(len(z),
                                                                   seed=next(self.seeds)))


def measure_batchnorm(generator: Sampler, batches: int, batch_size: int = MEASURE_BATCH_SIZE,
                      seed: int = 0) -> list[dict[str, Any]]:
    """Replace the running statistics of G's BatchNorms with those of its own activations,
    averaged over `batches` batches of `batch_size` draws of the prior at T = 1, each batch
    normalised by its own statistics as in training (BigGAN's "standing statistics"). The
    moving average keeps statistics averaged over steps like its weights, which need not be
    the averaged weights' own: this shows whether that is what moves its samples. Returns, per
    BatchNorm, how far the measured statistics lie from the kept ones (`statistics_moved`)."""
    norms = {name: module for name, module in generator.network.named_modules()
             if isinstance(module, nn.modules.batchnorm._BatchNorm)
             and module.track_running_stats}
    if not norms:
        raise GanforgeError("G has no BatchNorm layers that keep statistics: "
                            "--measure-batchnorm has nothing to measure")
    kept = {name: (norm.running_mean.clone(), norm.running_var.clone())
            for name, norm in norms.items()}
    draw = torch.Generator(device=generator.device).manual_seed(seed)
    noise = [generator.prior.sample(batch_size, device=generator.device, generator=draw)
             for _ in range(batches)]
    # update_bn restores the mode it found: eval, as G samples.
    update_bn(noise, _DrawsClasses(generator, seed).eval())
    return [statistics_moved(name, *kept[name], norm) for name, norm in norms.items()]


def statistics_moved(layer: str, kept_mean: Tensor, kept_variance: Tensor,
                     norm: nn.modules.batchnorm._BatchNorm) -> dict[str, Any]:
    """One BatchNorm's measured statistics against those it kept: the shift of the means in
    kept standard deviations (averaged over features), and the measured variance over the kept
    (median, least and greatest over features)."""
    shift = (norm.running_mean - kept_mean).abs() / kept_variance.sqrt()
    ratio = norm.running_var / kept_variance
    return {"layer": layer, "features": len(kept_mean), "mean_shift": float(shift.mean()),
            "variance_ratio": {"median": float(ratio.median()), "min": float(ratio.min()),
                               "max": float(ratio.max())}}


def report_moved(name: str, moved: list[dict[str, Any]]) -> None:
    """Print `measure_batchnorm`'s comparison, one line per BatchNorm."""
    for layer in moved:
        ratio = layer["variance_ratio"]
        print(f"{name}: BatchNorm {layer['layer']} ({layer['features']} features): means moved "
              f"{layer['mean_shift']:.4f} kept s.d.; variance measured / kept "
              f"{ratio['median']:.3f} (median), {ratio['min']:.3f}-{ratio['max']:.3f}",
              flush=True)
