"""The run's record of training: train.jsonl (one line per step), a progress bar, TensorBoard."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ganforge.training.trainer import StepRecord, Trainer

LOG_NAME = "train.jsonl"


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """The records of a train.jsonl file (a run folder works too)."""
    path = Path(path)
    if path.is_dir():
        path = path / LOG_NAME
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def _truncate_after(path: Path, step: int) -> None:
    """Drop lines past `step`: a run resumed from its checkpoint re-logs those steps."""
    if not path.exists():
        return
    kept = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
            if line.strip() and json.loads(line)["step"] <= step]
    path.write_text("".join(kept), encoding="utf-8")


class RunLog:
    """Appends every step's record to train.jsonl and shows them on a tqdm bar."""

    def __init__(self, run_dir: Path, *, total_steps: int, start_step: int, progress: bool,
                 tensorboard: bool) -> None:
        self.path = run_dir / LOG_NAME
        _truncate_after(self.path, start_step)
        self.file = self.path.open("a", encoding="utf-8")
        self.bar = tqdm(total=total_steps, initial=start_step, unit="step", disable=not progress,
                        dynamic_ncols=True, smoothing=0.05)
        self.writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter  # slow import: only when asked

            self.writer = SummaryWriter(str(run_dir / "tensorboard"))

    def on_records(self, records: Sequence[StepRecord]) -> None:
        for record in records:
            self.file.write(json.dumps(dataclasses.asdict(record)) + "\n")
            if self.writer is not None:
                for key, value in dataclasses.asdict(record).items():
                    if key != "step":
                        self.writer.add_scalar(key, value, record.step)
        self.file.flush()
        last = records[-1]
        self.bar.set_postfix_str(f"D {last.d_loss:.3f} G {last.g_loss:.3f} V {last.value:.3f} "
                                 f"D(x) {last.d_real:.2f} D(G(z)) {last.d_fake:.2f}",
                                 refresh=False)
        self.bar.update(len(records))

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        pass

    def close(self) -> None:
        self.bar.close()
        self.file.close()
        if self.writer is not None:
            self.writer.close()
