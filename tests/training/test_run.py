"""`train()`: the caller's own callbacks."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ganforge.config import apply_overrides
from ganforge.training.run import train
from ganforge.training.trainer import StepRecord, Trainer


class StepWatcher:
    """Records what a callback is shown: the steps it was called at, whether each was the last,
    and the records' steps."""

    def __init__(self) -> None:
        self.ends: list[tuple[int, bool]] = []
        self.record_steps: list[int] = []
        self.g_weights_at_end: torch.Tensor | None = None

    def on_records(self, records: Sequence[StepRecord]) -> None:
        self.record_steps.extend(record.step for record in records)

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        self.ends.append((trainer.step_count, final))
        if final:
            self.g_weights_at_end = next(trainer.G.parameters()).detach().clone()


def test_a_callers_callback_gets_every_record_and_each_flush_with_the_last_as_final(
        tmp_path, tiny_config):
    watcher = StepWatcher()
    result = train(tiny_config, tmp_path / "run", callbacks=[watcher])
    steps, every = tiny_config.train.steps, tiny_config.train.log_every_steps
    # Called every log_every_steps (5 here): the flush points, the last one final.
    assert watcher.ends == [(step, step == steps) for step in range(every, steps + 1, every)]
    # Each record once, in order: one per step.
    assert watcher.record_steps == list(range(1, steps + 1))
    # It saw the trained G: the weights the run ends with (the tiny config keeps no EMA, so
    # the run's generator is G itself).
    assert watcher.g_weights_at_end is not None
    assert torch.equal(watcher.g_weights_at_end,
                       next(result.generator.network.parameters()).detach())


def test_a_resumed_run_shows_the_callback_only_its_new_steps(tmp_path, tiny_config):
    run_dir = tmp_path / "run"
    train(tiny_config, run_dir)
    watcher = StepWatcher()
    longer = tiny_config.train.steps + 10
    train(apply_overrides(tiny_config, {"train.steps": str(longer)}), run_dir, resume=True,
          callbacks=[watcher])
    assert watcher.record_steps == list(range(tiny_config.train.steps + 1, longer + 1))
    assert watcher.ends[-1] == (longer, True)
