"""The run's record of training: train.jsonl (one line per step), a progress bar, TensorBoard."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ganforge.durations import format_duration
from ganforge.errors import GanforgeWarning
from ganforge.files import atomic_path, read_json_lines
from ganforge.training.trainer import LOSS_KEYS, StepRecord, Trainer

LOG_NAME = "train.jsonl"


def _complete_records(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The step records of every complete line, and how many lines could not be read (a line
    that a crash cut short, or one that is not a step record)."""
    lines, skipped = read_json_lines(path)
    records = [record for record in lines if isinstance(record.get("step"), int)]
    return records, skipped + len(lines) - len(records)


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """The records of a train.jsonl file (a run folder works too). Lines that cannot be read,
    such as the torn last line a crash leaves, are skipped with a warning."""
    path = Path(path)
    if path.is_dir():
        path = path / LOG_NAME
    records, skipped = _complete_records(path)
    if skipped:
        warnings.warn(f"{path}: skipped {skipped} unreadable line(s) (a write cut short by a "
                      "crash?)", GanforgeWarning, stacklevel=2)
    return records


def truncate_log(path: Path, step: int) -> None:
    """Keep the complete records up to `step`: a run resumed from its checkpoint at `step`
    re-logs the steps after it, and a torn last line goes with them."""
    if not path.exists():
        return
    records, _ = _complete_records(path)
    with atomic_path(path) as temporary:
        temporary.write_text("".join(json.dumps(r) + "\n" for r in records if r["step"] <= step),
                             encoding="utf-8")


# tqdm's default bar without its time-remaining estimate, which counts down to the step count
# that a time-limited run may never reach.
TIME_LIMITED_BAR = ("{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                    "[{elapsed}, {rate_fmt}{postfix}]")


def time_limit_label(time_limit_s: float | None) -> str | None:
    """The bar's label under a time limit: the step count a time-limited run (the demo's) shows
    may be hours away, so the bar says when it really ends (and shows no time-left estimate)."""
    return None if time_limit_s is None else f"stops after {format_duration(time_limit_s)}"


class RunLog:
    """Appends every step's record to train.jsonl and shows them on a tqdm bar."""

    def __init__(self, run_dir: Path, *, total_steps: int, start_step: int, progress: bool,
                 tensorboard: bool, time_limit_s: float | None = None) -> None:
        self.path = run_dir / LOG_NAME
        truncate_log(self.path, start_step)
        self.file = self.path.open("a", encoding="utf-8")
        self.bar = tqdm(total=total_steps, initial=start_step, unit="step", disable=not progress,
                        dynamic_ncols=True, smoothing=0.05, desc=time_limit_label(time_limit_s),
                        bar_format=None if time_limit_s is None else TIME_LIMITED_BAR)
        self.writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter  # slow import: only when asked

            self.writer = SummaryWriter(str(run_dir / "tensorboard"))

    def on_records(self, records: Sequence[StepRecord]) -> None:
        for record in records:
            line = record.as_dict()
            self.file.write(json.dumps(line) + "\n")
            if self.writer is not None:
                for key, value in line.items():
                    if key != "step":
                        self.writer.add_scalar(key, value, record.step)
        self.file.flush()
        values = records[-1].values
        losses = f"D {values['d_loss']:.3f} G {values['g_loss']:.3f}"
        others = " ".join(f"{key} {value:.3g}" for key, value in values.items()
                          if key not in LOSS_KEYS)
        self.bar.set_postfix_str(f"{losses} {others}", refresh=False)
        self.bar.update(len(records))

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        pass

    def close(self) -> None:
        self.bar.close()
        self.file.close()
        if self.writer is not None:
            self.writer.close()
