"""Algorithm 1 of Goodfellow et al. 2014: k discriminator updates on fresh minibatches, then one
generator update, repeated. The loop records per-step statistics and stops on a non-finite loss;
everything that writes files hangs off it as callbacks."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import torch
from torch import Tensor, nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from ganforge.config import TrainConfig
from ganforge.data.batches import InMemoryBatches
from ganforge.data.transforms import ValueRange, to_model_range
from ganforge.device import use_bf16_autocast
from ganforge.errors import DivergedError
from ganforge.models.augment import build_augmentation
from ganforge.models.priors import Prior
from ganforge.objectives import DiscriminatorTerms, Objective, build_objective
from ganforge.seeding import global_rng_state, make_generator, set_global_rng_state
from ganforge.training import distributed
from ganforge.training.distributed import DistInfo
from ganforge.training.mode_seeking import (
    FakePair,
    mode_seeking_loss,
    pair_count,
    paired_batch,
    split_pass,
)
from ganforge.training.schedules import DecayAndRamp, top_k_fraction

# What every step records whatever the objective; the objective adds its own statistics.
LOSS_KEYS = ("d_loss", "g_loss")


@dataclass(frozen=True)
class StepRecord:
    """One step's numbers, as written to train.jsonl: the losses, the objective's statistics,
    the learning rates that step used and the training time so far."""

    step: int
    values: dict[str, float]
    """d_loss, g_loss and the objective's statistics, by key."""
    lr_d: float
    lr_g: float
    elapsed_s: float

    def as_dict(self) -> dict[str, float]:
        """The flat record of a train.jsonl line."""
        return {"step": self.step, **self.values, "lr_d": self.lr_d, "lr_g": self.lr_g,
                "elapsed_s": self.elapsed_s}


class DiscriminatorUpdate(NamedTuple):
    """What one D update computed (`terms`), and the fake batch it judged."""

    terms: DiscriminatorTerms
    fake: Tensor
    labels: Tensor | None = None
    """The classes the fake batch was drawn for (conditional models)."""
    pair: FakePair | None = None
    """With mode seeking, a second draw for the first half of the fakes (kept with the graph)."""


class Callback(Protocol):
    """Receives checked records and step events; rank 0 only writes files."""

    def on_records(self, records: Sequence[StepRecord]) -> None: ...

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None: ...


def build_optimizer(parameters: Iterator[nn.Parameter] | list[nn.Parameter], config: TrainConfig,
                    lr: float, device: torch.device) -> tuple[torch.optim.Optimizer, DecayAndRamp]:
    """SGD with classical momentum (the paper's) or Adam, fused where the device allows."""
    params = list(parameters)
    # Fused kernels update all tensors at once; PyTorch's default per-tensor loop measured
    # about a third of an MLP step on a 2-core CPU.
    fused = device.type in ("cpu", "cuda")
    optimizer: torch.optim.Optimizer
    if config.optimizer == "adam":
        optimizer = torch.optim.Adam(params, lr=lr, betas=(config.adam_beta1, config.adam_beta2),
                                     fused=fused)
        schedule = DecayAndRamp(optimizer, lr=lr, decay=config.lr_decay, lr_min=config.lr_min)
    else:
        optimizer = torch.optim.SGD(params, lr=lr, momentum=config.momentum_start, fused=fused)
        schedule = DecayAndRamp(optimizer, lr=lr, decay=config.lr_decay, lr_min=config.lr_min,
                                momentum_start=config.momentum_start,
                                momentum_end=config.momentum_end,
                                ramp_steps=config.momentum_ramp_steps)
    return optimizer, schedule


NoiseSource = Callable[[], Tensor]
"""Returns this rank's noise minibatch z [batch_size, prior.dim] on the trainer's device."""


class Trainer:
    """Trains G and D on `batches` of real data; `fit` runs steps until a step or time limit.

    The `objective` owns every loss, penalty and statistic; the trainer owns the order of the
    updates (Algorithm 1), the optimizers, devices and processes. `noise_source` replaces the
    seeded prior draws (tests feed both this loop and a reference loop the same z).
    """

    def __init__(self, config: TrainConfig, G: nn.Module, D: nn.Module, prior: Prior,
                 batches: InMemoryBatches, *, device: torch.device, value_range: ValueRange | None,
                 seed: int, objective: Objective | None = None, dist_info: DistInfo | None = None,
                 noise_source: NoiseSource | None = None, conditional: bool = False) -> None:
        self.config = config
        self.G, self.D = G, D  # the plain modules: their state_dicts are what we save
        self.prior, self.batches = prior, batches
        self.device, self.value_range = device, value_range
        self.dist = dist_info or DistInfo()
        self.objective = objective or build_objective("minimax")
        self.stat_keys = LOSS_KEYS + tuple(s.key for s in self.objective.statistics)
        self.draw_noise: NoiseSource = noise_source or self._prior_noise
        self.k = config.d_steps_per_g_step
        # Class-conditional G(z, y), D(x, y): G draws for the labels of the real batch, so the
        # fake labels follow the data's class frequencies.
        self.conditional = conditional
        if conditional and batches.labels is None:
            raise ValueError("a conditional trainer needs labelled batches")
        if config.late_batch_size is not None:
            batches.check_fits(config.late_batch_size, "train.late_batch_size")
        self.step_count = 0  # completed steps; a step is k D updates + 1 G update
        self.d_updates = 0
        self.elapsed_s = 0.0  # training time accumulated over resumed sessions
        self.stop_requested = False  # set by a signal handler; honoured between steps

        self.opt_g, self.sched_g = build_optimizer(G.parameters(), config, config.g_lr, device)
        self.opt_d, self.sched_d = build_optimizer(D.parameters(), config, config.d_lr, device)
        self.ema: AveragedModel | None = None
        if config.ema_decay > 0:
            self.ema = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay),
                                     use_buffers=True)
        # Same seed on every rank: each rank draws the global batch of noise and keeps its slice,
        # so N ranks of batch B see the noise that one process of batch N*B would.
        self.noise_generator = make_generator(seed, device)

        # DDP wraps only the passes whose gradients must be averaged: G's update, D's update.
        # D is frozen during G's update, so there it is called unwrapped (no all-reduce of D).
        G_train = distributed.wrap_for_training(G, self.dist, device)
        D_train = distributed.wrap_for_training(D, self.dist, device)
        compile_: Callable[[nn.Module], Any] = torch.compile if config.compile else (lambda m: m)
        self._g_train, self._d_train = compile_(G_train), compile_(D_train)
        self._g_plain = self._g_train if not self.dist.enabled else compile_(G)
        self._d_frozen = self._d_train if not self.dist.enabled else compile_(D)
        self._channels_last = config.channels_last
        # What D sees in training, real and generated alike (identity unless train.augment).
        self.augment = build_augmentation(config.augment, config.augment_p)
        # `auto` resolved here, once: the run records what it chose (config.json's precision).
        self.autocast_bf16 = use_bf16_autocast(config.autocast_bf16, device)

    # --- Algorithm 1 -----------------------------------------------------------------------

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        """The run's precision for a pass of G or D: bf16 autocast when it trains in bf16."""
        # The same code path on every device: the CPU tests cover what CUDA runs.
        if self.autocast_bf16:
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _real_batch(self) -> tuple[Tensor, Tensor | None]:
        x, labels = self.batches.next_labelled()
        x = to_model_range(x, self.value_range)
        if self._channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, labels if self.conditional else None

    @staticmethod
    def _inputs(labels: Tensor | None) -> tuple[Tensor, ...]:
        """The arguments after z or x: the labels for conditional networks, else none."""
        return () if labels is None else (labels,)

    def _prior_noise(self) -> Tensor:
        m, rank = self.batches.batch_size, self.dist.rank
        z = self.prior.sample(m * self.dist.world_size, device=self.device,
                              generator=self.noise_generator)
        return z[rank * m:(rank + 1) * m]

    @staticmethod
    def _update(optimizer: torch.optim.Optimizer, schedule: DecayAndRamp, loss: Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()

    def _critic_for(self, labels: Tensor | None) -> Callable[[Tensor], Tensor]:
        """D's outputs as the objective sees them: float32 logits [B // pack]. Objectives judge
        [real; fake] at once and penalties judge real or interpolated batches, all of them
        multiples of the batch in that order, so the batch's labels are tiled to fit."""
        def critic(x: Tensor) -> Tensor:
            extra = () if labels is None else (labels.repeat(len(x) // len(labels)),)
            with self.autocast():
                return self._d_train(self.augment(x), *extra).float()
        return critic

    def discriminator_update(self, keep_graph: bool = False) -> DiscriminatorUpdate:
        """One D update on fresh real and fake minibatches; G is not changed.

        With `keep_graph` the fake batch keeps G's graph, for a G update that reuses it.
        """
        x, labels = self._real_batch()
        z = self.draw_noise()
        pair = None
        with torch.set_grad_enabled(keep_graph), self.autocast():
            if keep_graph:
                fake, pair = self._generate_for_g(z, labels)
            else:
                fake = self._g_plain(z, *self._inputs(labels))
        terms = self.objective.discriminator_terms(self._critic_for(labels), x, fake,
                                                   self.d_updates)
        self._update(self.opt_d, self.sched_d, terms.objective)
        self.d_updates += 1
        return DiscriminatorUpdate(terms, fake, labels, pair)

    def _generate_for_g(self, z: Tensor, labels: Tensor | None
                        ) -> tuple[Tensor, FakePair | None]:
        """G(z) with the graph G's update descends; with mode seeking, also the second draws for
        the first half of the batch, in the same pass (DDP allows one forward per backward)."""
        if not self.config.mode_seeking_weight:
            return self._g_train(z, *self._inputs(labels)), None
        pair_noise = self.draw_noise()[:pair_count(len(z))]
        noise, both_labels = paired_batch(z, labels, pair_noise)
        return split_pass(self._g_train(noise, *self._inputs(both_labels)), z, pair_noise)

    def step(self) -> Tensor:
        """One step of Algorithm 1 (k D updates, then one G update); returns the statistics in
        `stat_keys` order, stacked, without a host sync."""
        reuse = self.config.reuse_noise_for_g
        size = self.config.batch_size_at(self.step_count)
        if size != self.batches.batch_size:  # the late batch size takes over (or a resume)
            self.batches.resize(size)
        for i in range(self.k):
            # k discriminator updates; the last keeps G(z) for G's update when reusing noise.
            last = self.discriminator_update(keep_graph=reuse and i == self.k - 1)
        fake, pair, conditions = last.fake, last.pair, self._inputs(last.labels)

        # Generator update: descend G's loss with D frozen, so that no gradient is computed
        # (or all-reduced) for D's weights.
        self.D.requires_grad_(False)
        try:
            if not reuse:
                with self.autocast():
                    fake, pair = self._generate_for_g(self.draw_noise(), last.labels)
            with self.autocast():
                g_loss = self.objective.generator_loss(
                    self._top_k(self._d_frozen(self.augment(fake), *conditions).float()))
            if pair is not None:
                g_loss = g_loss + self.config.mode_seeking_weight * mode_seeking_loss(pair)
            self._update(self.opt_g, self.sched_g, g_loss)
        finally:
            self.D.requires_grad_(True)
        if self.ema is not None:
            self.ema.update_parameters(self.G)
        self.step_count += 1
        terms = last.terms
        with torch.no_grad():
            return torch.stack([terms.loss, g_loss.detach(), *self.objective.step_statistics(
                terms.logits_real, terms.logits_fake)])

    def g_top_k_fraction(self) -> float:
        """The fraction of the fake batch G's next update learns from (1 unless top-k is on)."""
        epochs_done = max(self.batches.epoch - 1, 0)  # `epoch` counts the one being drawn
        return top_k_fraction(epochs_done, self.config.g_top_k_decay, self.config.g_top_k_min)

    def _top_k(self, logits_fake: Tensor) -> Tensor:
        """D's outputs for the fakes G learns from: every one, or with top-k updates the ones D
        scores as most realistic. Every objective's D scores real data higher, so these are the
        largest; the rest get no gradient, which keeps the worst samples from pulling G away
        from the modes it has found (Sinha et al. 2020)."""
        fraction = self.g_top_k_fraction()
        if fraction == 1.0:
            return logits_fake
        keep = max(1, math.ceil(fraction * len(logits_fake)))
        return logits_fake.topk(keep, sorted=False).values

    # --- The loop ----------------------------------------------------------------------------

    def _check_and_record(self, stats: list[Tensor], first_step: int) -> list[StepRecord]:
        """Average over ranks, move to the host once, and raise on the first non-finite step."""
        table = distributed.average_across_ranks(torch.stack(stats).float(), self.dist)
        records = []
        for offset, row in enumerate(table.tolist()):
            step = first_step + offset
            if not all(math.isfinite(value) for value in row):
                bad = [key for key, value in zip(self.stat_keys, row, strict=True)
                       if not math.isfinite(value)]
                raise DivergedError(step, f"training diverged at step {step}: non-finite "
                                          f"{', '.join(bad)}")
            # The rates that step's last D update and its G update used.
            values = dict(zip(self.stat_keys, row, strict=True))
            records.append(StepRecord(step=step, values=values,
                                      lr_d=self.sched_d.lr(step * self.k - 1),
                                      lr_g=self.sched_g.lr(step - 1),
                                      elapsed_s=round(self.elapsed_s, 3)))
        return records

    def _flush_due(self, step: int) -> bool:
        c = self.config
        keep = c.keep_checkpoint_every_steps
        return (step % c.log_every_steps == 0 or step % c.checkpoint_every_steps == 0
                or step % c.sample_every_steps == 0 or bool(keep) and step % keep == 0)

    def _agree_to_stop(self, stop: bool) -> bool:
        """All ranks stop together: any rank's reason to stop stops everyone."""
        if not self.dist.enabled:
            return stop
        flag = torch.tensor([float(stop)], device=self.device)
        return bool(distributed.average_across_ranks(flag, self.dist).item() > 0)

    def fit(self, until_step: int, *, time_limit_s: float | None = None,
            callbacks: Sequence[Callback] = ()) -> str:
        """Run steps until `until_step`, the time limit or a stop request.

        Returns why it stopped: "steps", "time_limit" or "interrupted". Records reach callbacks
        only after the finiteness check, so a checkpoint is never written after a NaN.
        """
        self.G.train()
        self.D.train()
        pending: list[Tensor] = []
        session_start = time.monotonic()
        base_elapsed = self.elapsed_s
        reason = "steps"
        while self.step_count < until_step:
            pending.append(self.step())
            self.elapsed_s = base_elapsed + time.monotonic() - session_start
            final = self.step_count >= until_step
            # Stop requests and the time limit are honoured at flush points only, which every
            # rank reaches at the same step.
            if final or self._flush_due(self.step_count):
                out_of_time = time_limit_s is not None and \
                    time.monotonic() - session_start >= time_limit_s
                stop = self._agree_to_stop(out_of_time or self.stop_requested)
                records = self._check_and_record(pending, self.step_count - len(pending) + 1)
                pending = []
                for callback in callbacks:
                    callback.on_records(records)
                if stop and not final:
                    reason = "interrupted" if self.stop_requested else "time_limit"
                    final = True
                for callback in callbacks:
                    callback.on_step_end(self, final=final)
                if final:
                    break
        return reason

    def weights_are_finite(self) -> bool:
        """True when no weight of G or D is NaN or infinite (checked before every checkpoint)."""
        return all(bool(torch.isfinite(p).all()) for module in (self.G, self.D)
                   for p in module.parameters())

    # --- State -------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs to continue exactly (collective under DDP)."""
        return {
            "step": self.step_count,
            "d_updates": self.d_updates,
            "elapsed_s": self.elapsed_s,
            "generator": self.G.state_dict(),
            "discriminator": self.D.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "sched_g": self.sched_g.state_dict(),
            "sched_d": self.sched_d.state_dict(),
            "ema": None if self.ema is None else self.ema.state_dict(),
            "batches": self.batches.state_dict(),
            "noise_generator": self.noise_generator.get_state(),
            # Dropout draws from each rank's global generator, so every rank's state is kept.
            "rng_per_rank": distributed.gather_objects(global_rng_state(self.device), self.dist),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.step_count = int(state["step"])
        self.d_updates = int(state["d_updates"])
        self.elapsed_s = float(state.get("elapsed_s", 0.0))
        self.G.load_state_dict(state["generator"])
        self.D.load_state_dict(state["discriminator"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.sched_g.load_state_dict(state["sched_g"])
        self.sched_d.load_state_dict(state["sched_d"])
        if self.ema is not None and state.get("ema") is not None:
            self.ema.load_state_dict(state["ema"])
        self.batches.load_state_dict(state["batches"])
        self.noise_generator.set_state(state["noise_generator"].cpu())
        per_rank = state["rng_per_rank"]
        if len(per_rank) == self.dist.world_size:
            set_global_rng_state(per_rank[self.dist.rank], self.device)
