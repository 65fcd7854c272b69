"""G's BatchNorm statistics measured on its own samples (`measure_batchnorm`), in place of the
running statistics training kept: BigGAN's "standing statistics" (Brock et al. 2019).

Why: a moving average of G's weights keeps, beside them, running statistics averaged over the
steps in the same way (`AveragedModel(use_buffers=True)`). They need not be the averaged
network's own. On the presets' BatchNorm generators they lie close to it (means within 0.02 of
a standard deviation). Measured on 1,000 batches, FD at the validated temperature was level or
lower on all six preset runs scored, by 0.003 on average (1-3%); measured on 100, the
measurement's own noise moved Fashion-MNIST's FD by up to 0.01 either way (BENCHMARKS.md,
"Measuring BatchNorm statistics on load"). So it is an option, not the default:
`load_generator(..., measure_batchnorm=N)` and `--measure-batchnorm N` (`sample`, `evaluate`,
`tune-temperature`) measure on load.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn
from torch.optim.swa_utils import update_bn

from ganforge.errors import ConfigError

if TYPE_CHECKING:
    from ganforge.config import RunConfig
    from ganforge.sampler import Sampler

MEASURE_SEED = 2000
"""Apart from the noise `evaluate` (seeds 0 .. N-1) and `tune-temperature` (1000) score, so the
statistics are not measured on the very samples a score is taken from."""


@dataclasses.dataclass(frozen=True)
class BatchNormMeasurement:
    """How G's BatchNorm statistics were measured: on `batches` batches of `batch_size` draws
    of the prior at temperature 1, the noise seeded by `seed`."""

    batches: int
    batch_size: int
    seed: int = MEASURE_SEED
    moved: list[dict[str, Any]] = dataclasses.field(default_factory=list, compare=False,
                                                    repr=False)
    """Per BatchNorm, how far the measured statistics lie from the kept (`statistics_moved`)."""

    def to_record(self) -> dict[str, int]:
        """What a score or a temperature choice records: how, not how far."""
        return {"batches": self.batches, "batch_size": self.batch_size, "seed": self.seed}

    def describe(self) -> str:
        """How, in words."""
        return (f"G's BatchNorm statistics measured on {self.batches} batches of "
                f"{self.batch_size} of its own samples (seed {self.seed})")


def training_batch_size(config: RunConfig, step: int) -> int:
    """The batch size G trained on at `step` (`train.late_batch_size` once it took over). A
    BatchNorm's input depends on the batch's size through the BatchNorms before it (each
    normalises a batch by that batch's own statistics), so the measurement uses this size."""
    train = config.train
    if train.late_batch_size is not None and step > train.late_batch_step:
        return train.late_batch_size
    return train.batch_size


def batchnorm_layers(network: nn.Module) -> dict[str, nn.modules.batchnorm._BatchNorm]:
    """The BatchNorms in `network` that keep running statistics, by module name."""
    return {name: module for name, module in network.named_modules()
            if isinstance(module, nn.modules.batchnorm._BatchNorm)
            and module.track_running_stats}


def running_statistics(norm: nn.modules.batchnorm._BatchNorm) -> tuple[Tensor, Tensor]:
    """A BatchNorm's running mean and variance (one of `batchnorm_layers`: it keeps them)."""
    assert norm.running_mean is not None and norm.running_var is not None
    return norm.running_mean, norm.running_var


class _DrawsClasses(nn.Module):
    """G as `update_bn` calls it, on a batch of noise alone: a conditional G's classes are
    drawn as its samples' are (`Sampler.draw_labels`), with a seed per batch."""

    def __init__(self, sampler: Sampler, seed: int) -> None:
        super().__init__()
        self.network = sampler.network  # a submodule, so update_bn finds its BatchNorms
        self.sampler = sampler
        self.seeds = itertools.count(seed)

    def forward(self, z: Tensor) -> Tensor:
        return self.sampler.decode(z, self.sampler.draw_labels(len(z), seed=next(self.seeds)))


def measure_batchnorm(sampler: Sampler, batches: int, *, batch_size: int | None = None,
                      seed: int = MEASURE_SEED) -> BatchNormMeasurement:
    """Replace the running statistics of G's BatchNorms with those of its own activations:
    the mean of each batch's statistics over `batches` batches of `batch_size` prior draws
    (by default as many as G trained on: `training_batch_size`) at temperature 1, whatever the
    sampler's own, each batch normalised by its own statistics as in training. A conditional
    G's classes are drawn as its samples' are. Returns how, with how far the measured
    statistics lie from those kept, as the sampler now records it (`Sampler.batchnorm_measured`).

    A ConfigError when `batches` is below 1 or G has no BatchNorm that keeps statistics."""
    if batch_size is None:
        batch_size = training_batch_size(sampler.config, sampler.step)
    if batches < 1 or batch_size < 2:
        raise ConfigError(f"measuring BatchNorm statistics needs at least 1 batch of at least "
                          f"2 samples (got {batches} of {batch_size})")
    norms = batchnorm_layers(sampler.network)
    if not norms:
        raise ConfigError(f"this generator ({type(sampler.network).__name__}) has no "
                          "BatchNorm layers that keep statistics: there is nothing to measure; "
                          "leave out --measure-batchnorm")
    kept: dict[str, tuple[Tensor, Tensor]] = {}
    for name, norm in norms.items():
        mean, variance = running_statistics(norm)
        kept[name] = (mean.clone(), variance.clone())
    draw = torch.Generator(device=sampler.device).manual_seed(seed)
    noise = (sampler.prior.sample(batch_size, device=sampler.device, generator=draw)
             for _ in range(batches))  # drawn as update_bn asks, not held all at once
    # update_bn runs G in training mode and restores the mode it found: eval, as G samples.
    update_bn(noise, _DrawsClasses(sampler, seed).eval())
    sampler.batchnorm_measured = BatchNormMeasurement(
        batches, batch_size, seed,
        moved=[statistics_moved(name, *kept[name], norm) for name, norm in norms.items()])
    return sampler.batchnorm_measured


def statistics_moved(layer: str, kept_mean: Tensor, kept_variance: Tensor,
                     norm: nn.modules.batchnorm._BatchNorm) -> dict[str, Any]:
    """One BatchNorm's measured statistics against those it kept: the shift of the means in
    kept standard deviations (averaged over features), and the measured variance over the kept
    (median, least and greatest over features)."""
    mean, variance = running_statistics(norm)
    shift = (mean - kept_mean).abs() / kept_variance.sqrt()
    ratio = variance / kept_variance
    return {"layer": layer, "features": len(kept_mean), "mean_shift": float(shift.mean()),
            "variance_ratio": {"median": float(ratio.median()), "min": float(ratio.min()),
                               "max": float(ratio.max())}}


def summarise_moved(moved: list[dict[str, Any]]) -> str:
    """`measure_batchnorm`'s comparison in one line, over all its BatchNorms."""
    shifts = [layer["mean_shift"] for layer in moved]
    medians = [layer["variance_ratio"]["median"] for layer in moved]
    layers = f"{len(moved)} BatchNorm layer{'' if len(moved) == 1 else 's'}"
    return (f"{layers}: means moved {min(shifts):.3f}-{max(shifts):.3f} "
            f"of a kept s.d. (each layer's average over features), measured / kept variance "
            f"{min(medians):.3f}-{max(medians):.3f} (each layer's median)")
