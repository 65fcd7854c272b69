"""What happens every N steps: sample grids from fixed noise, and checkpoints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganforge.checkpoint import save_checkpoint
from ganforge.data.toy import GaussianMixture
from ganforge.data.transforms import ValueRange, to_unit_range
from ganforge.errors import DivergedError
from ganforge.files import atomic_path
from ganforge.training.distributed import DistInfo
from ganforge.training.trainer import StepRecord, Trainer
from ganforge.viz.grid import save_grid
from ganforge.viz.plots import save_points_plot


def sampling_network(trainer: Trainer) -> nn.Module:
    """The weights to sample from: the moving average when the run keeps one."""
    return trainer.ema.module if trainer.ema is not None else trainer.G


class SampleSaver:
    """Saves G(z_fixed) every `every` steps (rank 0): a grid for images, a plot for toy points."""

    def __init__(self, folder: Path, fixed_noise: Tensor, *, every: int, is_image: bool,
                 value_range: ValueRange | None, distribution: GaussianMixture | None) -> None:
        self.folder, self.fixed_noise, self.every = folder, fixed_noise, every
        self.is_image, self.value_range, self.distribution = is_image, value_range, distribution

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def save(self, network: nn.Module, name: str) -> Path:
        was_training = network.training
        network.eval()
        with torch.no_grad():
            samples = to_unit_range(network(self.fixed_noise).float(), self.value_range).cpu()
        network.train(was_training)
        path = self.folder / f"{name}.png"
        if self.is_image:
            save_grid(samples, path, scale=max(1, 56 // samples.shape[-1]))
        else:
            save_points_plot(samples.numpy(), path, self.distribution, title=name)
            # The points too, so that figures across stages can be redrawn without the model.
            with atomic_path(path.with_suffix(".npz")) as temporary, temporary.open("wb") as f:
                np.savez_compressed(f, points=samples.numpy())
        return path

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        step = trainer.step_count
        if step % self.every == 0 or final:
            self.save(sampling_network(trainer), f"step_{step:07d}")
        if final:
            self.save(sampling_network(trainer), "final")


class Checkpointer:
    """Saves the trainer's state every `every` steps and at the end (collective; rank 0 writes)."""

    def __init__(self, path: Path, *, every: int, dist_info: DistInfo,
                 metadata: Callable[[], dict[str, Any]]) -> None:
        self.path, self.every, self.dist, self.metadata = path, every, dist_info, metadata
        self.last_saved_step: int | None = None

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        if trainer.step_count % self.every == 0 or final:
            if not trainer.weights_are_finite():
                # A finite loss can hide weights that the last update already broke.
                raise DivergedError(trainer.step_count, f"training diverged at step "
                                    f"{trainer.step_count}: the weights are not finite")
            state = trainer.state_dict()  # every rank joins: it gathers per-rank RNG states
            if self.dist.is_main:
                save_checkpoint({**self.metadata(), **state}, self.path)
            self.last_saved_step = trainer.step_count
