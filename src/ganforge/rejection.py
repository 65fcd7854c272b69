"""Discriminator rejection sampling (Azadi et al. 2019): the paper's optimal discriminator put to
work after training.

For a fixed G the best D is D*(x) = p_data(x) / (p_data(x) + p_g(x)) (the paper's Proposition 1),
so its logit is the log density ratio log p_data(x) / p_g(x). Keeping each sample x ~ p_g with
probability min(1, p_data(x) / (M p_g(x))) leaves samples distributed as
p_g(x) min(p_data(x) / p_g(x), M), normalised: exactly p_data when M bounds the ratio. The
trained D only approximates D*, and the ratio has no known bound, so M is the `quantile` of
exp(logit) over a pool of G's samples: a lower quantile keeps more samples and corrects less.

A conditional G works the same way class by class. Its D sees (x, y), so its logit estimates
log p_data(x | y) / p_g(x | y) when G's classes are drawn with the data's shares, as training
draws them. Each requested sample keeps its class and is redrawn from G(z, y) until one is kept,
so the classes come out exactly as asked (a self-conditioned G: its clusters by their training
shares), and within each class the kept samples follow p_data(x | y).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ganforge import batchnorm
from ganforge.checkpoint import load_checkpoint, load_network_weights
from ganforge.data.transforms import to_unit_range
from ganforge.device import resolve_device
from ganforge.errors import ConfigError, GanforgeError
from ganforge.memory import require_memory
from ganforge.models import build_discriminator
from ganforge.objectives import OBJECTIVES
from ganforge.sampler import Sampler, generator_from_payload

POOL_SIZE = 10_000
"""G's samples whose density ratios set M."""
POOL_SEED = 2**31 - 1
"""The pool's own noise stream, apart from the seeds samples are drawn with."""
MAX_DRAWS_PER_SAMPLE = 1_000
"""Give up (an error, not a hang) when the acceptance rate falls below 1 in this many."""


def check_quantile(quantile: float) -> float:
    if not (math.isfinite(quantile) and 0 < quantile <= 1):
        raise ConfigError(f"the rejection quantile must be in (0, 1] (got {quantile}); 1 takes "
                          "M as the largest density ratio in the pool, lower keeps more samples")
    return float(quantile)


class RejectionSampler(Sampler):
    """A `Sampler` whose `sample` keeps each of G's samples with probability
    min(1, exp(logit D(x) - log M)). `acceptance_rate` is the share kept so far. For a
    conditional `base`, `discriminator` takes (x, labels), as training's D does."""

    def __init__(self, base: Sampler, discriminator: nn.Module, *, quantile: float = 0.95,
                 pool_size: int = POOL_SIZE, pool: Tensor | None = None) -> None:
        super().__init__(base.network, base.prior, value_range=base.value_range,
                         config=base.config, sample_shape=base.sample_shape, step=base.step,
                         num_classes=base.num_classes, class_prior=base.class_prior,
                         temperature=base.temperature)
        # The same network as base's, so the same statistics.
        self.batchnorm_measured = base.batchnorm_measured
        self.discriminator = discriminator.eval().to(base.device)
        self.quantile = check_quantile(quantile)
        self.drawn = self.accepted = 0
        if pool is None:
            # The pool's classes come as a sample's do when none are asked for: a
            # self-conditioned G's clusters by their shares, a labels G's classes in turn.
            pool = self._log_ratios(pool_size, self.draw_labels(pool_size, seed=POOL_SEED),
                                    torch.Generator(device=self.device).manual_seed(POOL_SEED))[1]
        self.pool = pool
        """D's logits for the pool of G's samples (drawn at `temperature`): estimates of their
        log p_data / p_g."""
        self.log_m = float(torch.quantile(pool.double(), self.quantile))
        """log M: the `quantile` of log p_data / p_g over the pool."""

    def at_quantile(self, quantile: float) -> RejectionSampler:
        """The same G, D, temperature and pool, with M at another quantile. Choosing among
        quantiles thus samples and judges the pool once, not once per quantile."""
        return RejectionSampler(self, self.discriminator, quantile=quantile, pool=self.pool)

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.drawn if self.drawn else math.nan

    @torch.no_grad()
    def _log_ratios(self, n: int, classes: Tensor | None, generator: torch.Generator | None
                    ) -> tuple[Tensor, Tensor]:
        """n of G's samples in G's output range (a conditional G: one of each of `classes`),
        and D's logits for them: the estimates of log p_data(x | y) / p_g(x | y)."""
        z = self.prior.sample(n, device=self.device, generator=generator,
                              temperature=self.temperature)
        extra = () if classes is None else (classes.to(self.device),)
        x = self.network(z, *extra).float()
        return x, self.discriminator(x, *extra).float()

    @torch.no_grad()
    def sample(self, n: int, *, seed: int | None = None, batch_size: int = 1_000,
               labels: Tensor | Sequence[int] | int | None = None) -> Tensor:
        """Draw n samples that passed the test; a `seed` makes them reproducible. A conditional
        G draws for `labels` as `Sampler.sample` does, each sample keeping its class."""
        require_memory(2 * self.nbytes(n), f"{n:,} samples of shape {list(self.sample_shape)}")
        classes = self.draw_labels(n, seed=seed, labels=labels)
        generator = None
        if seed is not None:
            generator = torch.Generator(device=self.device).manual_seed(seed)
        samples = torch.empty(n, *self.sample_shape)
        waiting = torch.arange(n)  # the samples not yet kept; a rejected one is drawn again
        drawn = 0
        while len(waiting):
            if drawn >= MAX_DRAWS_PER_SAMPLE * n:
                raise GanforgeError(
                    f"rejection sampling kept {n - len(waiting)} of {drawn:,} samples: lower "
                    f"the quantile (now {self.quantile})")
            batch, waiting = waiting[:batch_size], waiting[batch_size:]
            x, log_ratio = self._log_ratios(len(batch), None if classes is None
                                            else classes[batch], generator)
            # log u < log ratio - log M  <=>  u < min(1, ratio / M), for u ~ U(0, 1).
            u = torch.rand(len(x), device=self.device, generator=generator)
            keep = u.log() < log_ratio - self.log_m  # on G's device, as x is
            kept = keep.cpu()  # as the sample indices are
            samples[batch[kept]] = to_unit_range(x[keep], self.value_range).cpu()
            waiting = torch.cat([waiting, batch[~kept]])
            drawn += len(x)
        self.drawn += drawn
        self.accepted += n
        return samples

    def __repr__(self) -> str:
        return (f"RejectionSampler({type(self.network).__name__}, quantile={self.quantile}, "
                f"log M={self.log_m:.3f}, step={self.step}, device={self.device})")


def discriminator_from_payload(payload: dict[str, Any], sampler: Sampler) -> nn.Module:
    """D, rebuilt from a loaded checkpoint, refusing the runs whose D is not a density ratio."""
    config = sampler.config
    objective = OBJECTIVES[config.loss.name]
    if not objective.measures_jensen_shannon:
        raise ConfigError(f"rejection sampling needs D(x) = p_data / (p_data + p_g), which the "
                          f"logistic objectives (minimax, nonsaturating) train for; this run "
                          f"used {config.loss.name!r}")
    if config.model.pack != 1:
        raise ConfigError(f"rejection sampling needs D to judge one sample at a time; this run "
                          f"packs {config.model.pack}")
    network = build_discriminator(config.model, sampler.sample_shape,
                                  num_classes=sampler.num_classes)
    load_network_weights(network, "discriminator", payload["discriminator"])
    return network


def load_rejection_sampler(path: str | Path, *, quantile: float = 0.95, device: str = "auto",
                           use_ema: bool = True, temperature: float = 1.0,
                           measure_batchnorm: int = 0) -> RejectionSampler:
    """G and D from a run folder or checkpoint, as a `RejectionSampler` (see the module);
    `measure_batchnorm` as for `load_generator`, before D judges G's pool."""
    check_quantile(quantile)
    payload = load_checkpoint(path)
    base = generator_from_payload(payload, resolve_device(device), use_ema=use_ema)
    base.temperature = temperature
    if measure_batchnorm:
        batchnorm.measure_batchnorm(base, measure_batchnorm)
    return RejectionSampler(base, discriminator_from_payload(payload, base), quantile=quantile)
