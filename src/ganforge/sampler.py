"""A trained generator you can sample from (`Sampler`): G's network, its prior and its output
range, rebuilt from a checkpoint by `load_generator`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ganforge import batchnorm
from ganforge.batchnorm import BatchNormMeasurement
from ganforge.checkpoint import load_checkpoint, load_network_weights
from ganforge.config import RunConfig, config_from_dict
from ganforge.data.transforms import ValueRange, to_unit_range
from ganforge.device import resolve_device
from ganforge.errors import ConfigError
from ganforge.memory import require_memory, tensor_bytes
from ganforge.models import build_generator, build_prior, output_range
from ganforge.models.priors import Prior


def class_blocks(n: int, num_classes: int) -> Tensor:
    """n labels, the classes in order in equal blocks: one block of grid rows per class."""
    return torch.arange(n) * num_classes // max(n, 1)


def check_temperature(value: float) -> float:
    """`value` as a sampling temperature, or a one-line error if it is not a positive number."""
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"temperature must be a positive number (got {value}); 1 draws "
                          "from the prior G was trained on")
    return float(value)


class Sampler:
    """`sample(n)` returns images [n, C, H, W] in [0, 1] (toy data: points [n, D]) on the CPU.

    A class-conditional generator (`num_classes` set) takes `labels`: one class per sample.
    A self-conditioned one (`class_prior` set: its classes are k-means clusters, not labels)
    draws each cluster by its share of the training set unless given `labels`.
    """

    def __init__(self, network: nn.Module, prior: Prior, *, value_range: ValueRange | None,
                 config: RunConfig, sample_shape: tuple[int, ...], step: int = 0,
                 num_classes: int | None = None,
                 class_prior: Sequence[float] | Tensor | None = None,
                 temperature: float = 1.0) -> None:
        self.network = network.eval()
        self.num_classes = num_classes
        self.class_prior = None if class_prior is None else \
            torch.as_tensor(class_prior, dtype=torch.float64)
        """The clusters' shares of the training set (self-conditioned runs), else None."""
        self.sample_shape = tuple(sample_shape)
        """The shape of one sample, [C, H, W] or [D]."""
        self.prior = prior
        self.value_range = value_range
        self.config = config
        self.step = step
        self.temperature = temperature
        self.batchnorm_measured: BatchNormMeasurement | None = None
        """How `measure_batchnorm` measured G's BatchNorm statistics on its own samples; None:
        as training kept them."""

    @property
    def temperature(self) -> float:
        """The scale of the continuous noise (1: the prior G was trained on). Below 1, samples
        are more typical and less varied: precision and density rise, recall falls (Kingma and
        Dhariwal 2018 sample Glow this way; BigGAN's truncation is the same trade)."""
        return self._temperature

    @temperature.setter
    def temperature(self, value: float) -> None:
        self._temperature = check_temperature(value)

    def nbytes(self, n: int) -> int:
        """Bytes of n float32 samples."""
        return tensor_bytes((n, *self.sample_shape))

    @property
    def device(self) -> torch.device:
        return next(self.network.parameters()).device

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    @property
    def conditions_on_labels(self) -> bool:
        """Conditional on the data set's labels (not on clusters): what the conditional metrics
        (is a sample of the class asked for?) need."""
        return self.conditional and self.class_prior is None

    def check_labels(self, labels: Tensor | Sequence[int] | int | None, n: int) -> Tensor | None:
        """Labels [n] for a conditional G: given ones (an int means n of that class), or every
        class in turn when none are given. None for an unconditional G, which takes none."""
        if not self.conditional:
            if labels is not None:
                raise ConfigError("this generator is not class-conditional: it takes no class "
                                  "(train with --model.conditional true)")
            return None
        assert self.num_classes is not None
        if labels is None:
            return torch.arange(n) % self.num_classes
        if isinstance(labels, int):
            labels = [labels] * n
        labels = torch.as_tensor(labels, dtype=torch.long).reshape(-1)
        if len(labels) != n:
            raise ConfigError(f"{len(labels)} labels for {n} samples")
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ConfigError(f"class must be in 0..{self.num_classes - 1} (got "
                              f"{int(labels.min() if labels.min() < 0 else labels.max())})")
        return labels

    def draw_labels(self, n: int, *, seed: int | None = None,
                    labels: Tensor | Sequence[int] | int | None = None) -> Tensor | None:
        """The classes of n samples: `labels` checked, else (self-conditioned G) clusters drawn
        by their shares with `seed`, else (labels G) every class in turn; None when
        unconditional."""
        if labels is None and self.class_prior is not None:
            # Its own stream: the noise drawn after is the same whichever clusters are drawn.
            draw = torch.Generator().manual_seed(seed) if seed is not None else None
            labels = torch.multinomial(self.class_prior, n, replacement=True, generator=draw)
        return self.check_labels(labels, n)

    @torch.no_grad()
    def sample(self, n: int, *, seed: int | None = None, batch_size: int = 1_000,
               labels: Tensor | Sequence[int] | int | None = None) -> Tensor:
        """Draw n samples; a `seed` makes them reproducible without touching global RNG state.
        A conditional G draws for `labels` (default: every class in turn; a self-conditioned G:
        clusters drawn by their shares).

        Refuses (`ResourceError`) before drawing when n samples cannot fit in memory.
        """
        require_memory(2 * self.nbytes(n), f"{n:,} samples of shape {list(self.sample_shape)}")
        classes = self.draw_labels(n, seed=seed, labels=labels)
        generator = None
        if seed is not None:
            generator = torch.Generator(device=self.device).manual_seed(seed)
        chunks = []
        for start in range(0, n, batch_size):
            z = self.prior.sample(min(batch_size, n - start), device=self.device,
                                  generator=generator, temperature=self.temperature)
            chunk = None if classes is None else classes[start:start + len(z)]
            chunks.append(self.decode(z, chunk).cpu())
        return torch.cat(chunks) if chunks else torch.empty(0)

    @torch.no_grad()
    def decode(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        """G(z) (conditional: G(z, labels)) mapped to [0, 1] for images (unchanged for toy
        points), on G's device."""
        classes = self.check_labels(labels, len(z))
        extra = () if classes is None else (classes.to(self.device),)
        return to_unit_range(self.network(z.to(self.device), *extra).float(), self.value_range)

    def __repr__(self) -> str:
        measured = "" if self.batchnorm_measured is None else \
            f", batchnorm measured on {self.batchnorm_measured.batches} batches"
        return (f"Sampler({type(self.network).__name__}, {self.prior}, step={self.step}, "
                f"device={self.device}{measured})")


def averaged_weights(payload: dict[str, Any]) -> dict[str, Tensor] | None:
    """G's moving-average weights from a loaded checkpoint, named as G's own; None when the
    run kept no average."""
    if payload.get("ema") is None:
        return None
    # AveragedModel keeps the averaged copy under "module." beside its counter.
    return {key.removeprefix("module."): value for key, value in payload["ema"].items()
            if key.startswith("module.")}


def generator_from_payload(payload: dict[str, Any], device: torch.device,
                           *, use_ema: bool = True) -> Sampler:
    """Rebuild G from a loaded checkpoint (its EMA weights when the run kept an average)."""
    config = config_from_dict(payload["config"])
    sample_shape = tuple(payload["sample_shape"])
    is_image = bool(payload.get("is_image", len(sample_shape) == 3))
    num_classes = payload.get("num_classes")
    network = build_generator(config.model, sample_shape, num_classes=num_classes)
    average = averaged_weights(payload) if use_ema else None
    load_network_weights(network, "generator", payload["generator"] if average is None else average)
    return Sampler(network.to(device), build_prior(config.model),
                   value_range=output_range(config.model.g_output, is_image), config=config,
                   sample_shape=sample_shape, step=int(payload["step"]),
                   num_classes=num_classes, class_prior=payload.get("class_prior"))


def load_generator(path: str | Path, *, device: str = "auto", use_ema: bool = True,
                   temperature: float = 1.0, measure_batchnorm: int = 0) -> Sampler:
    """Load G from a run folder or a checkpoint file, ready to `sample` (at `temperature`:
    see `Sampler.temperature`). `measure_batchnorm` > 0 replaces G's BatchNorm statistics
    with those of its own samples, over that many batches (`ganforge.batchnorm`)."""
    payload = load_checkpoint(path)
    sampler = generator_from_payload(payload, resolve_device(device), use_ema=use_ema)
    sampler.temperature = temperature
    if measure_batchnorm:
        batchnorm.measure_batchnorm(sampler, measure_batchnorm)
    return sampler
