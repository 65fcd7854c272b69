"""What happens every N steps: sample grids from fixed noise, and checkpoints."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import Tensor, nn

from ganforge.checkpoint import checkpoint_path, kept_checkpoint_path, save_checkpoint
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
                 value_range: ValueRange | None, distribution: GaussianMixture | None,
                 fixed_labels: Tensor | None = None, tensorboard: Any = None) -> None:
        self.folder, self.fixed_noise, self.every = folder, fixed_noise, every
        self.tensorboard = tensorboard  # a SummaryWriter: grids go to its IMAGES tab
        self.conditions = () if fixed_labels is None else (fixed_labels,)
        self.is_image, self.value_range, self.distribution = is_image, value_range, distribution

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def save(self, network: nn.Module, name: str) -> Path:
        was_training = network.training
        network.eval()
        with torch.no_grad():
            samples = to_unit_range(network(self.fixed_noise, *self.conditions).float(),
                                    self.value_range).cpu()
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
            path = self.save(sampling_network(trainer), f"step_{step:07d}")
            if self.tensorboard is not None and self.is_image:
                with Image.open(path) as grid:
                    pixels = np.asarray(grid.convert("RGB"))
                self.tensorboard.add_image("samples", pixels, step, dataformats="HWC")
        if final:
            self.save(sampling_network(trainer), "final")


class ReportRefresher:
    """Rewrites RUN_DIR/report.html at sample steps, at most once every `min_interval_s`, and
    once more at the end without the reload (rank 0). Feature-space neighbours appear only if
    the data set's feature classifier is already trained: a refresh never trains it."""

    def __init__(self, run_dir: Path, *, every: int, make_sampler: Callable[[Trainer], Any],
                 dataset: Any, min_interval_s: float = 60.0) -> None:
        self.run_dir, self.every, self.make_sampler = run_dir, every, make_sampler
        self.dataset, self.min_interval_s = dataset, min_interval_s
        self.last_written: float | None = None

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        rested = self.last_written is None or \
            time.monotonic() - self.last_written >= self.min_interval_s
        due = trainer.step_count % self.every == 0 and rested
        if not (due or final):
            return
        from ganforge.report import write_report  # matplotlib and friends: only when asked

        write_report(self.run_dir, live=not final, sampler=self.make_sampler(trainer),
                     dataset=self.dataset, features="cached", progress=False)
        self.last_written = time.monotonic()


class Checkpointer:
    """Saves the trainer's state every `every` steps and at the end, and every `keep_every` steps
    (0: never) also keeps a copy named after the step (collective; rank 0 writes)."""

    def __init__(self, run_dir: Path, *, every: int, dist_info: DistInfo,
                 metadata: Callable[[], dict[str, Any]], keep_every: int = 0) -> None:
        self.run_dir, self.path = run_dir, checkpoint_path(run_dir)
        self.every, self.keep_every = every, keep_every
        self.dist, self.metadata = dist_info, metadata
        self.last_saved_step: int | None = None

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        step = trainer.step_count
        keep = bool(self.keep_every) and step % self.keep_every == 0
        if step % self.every == 0 or final or keep:
            if not trainer.weights_are_finite():
                # A finite loss can hide weights that the last update already broke.
                raise DivergedError(trainer.step_count, f"training diverged at step "
                                    f"{trainer.step_count}: the weights are not finite")
            state = trainer.state_dict()  # every rank joins: it gathers per-rank RNG states
            if self.dist.is_main:
                copies = [kept_checkpoint_path(self.run_dir, step)] if keep else []
                save_checkpoint({**self.metadata(), **state}, self.path, *copies)
            self.last_saved_step = step
