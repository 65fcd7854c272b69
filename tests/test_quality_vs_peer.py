"""benchmarks/quality_vs_peer.py: when a preset's earlier marks are kept and its run resumed."""

from pathlib import Path

from benchmarks.quality_vs_peer import continues

import ganforge
from ganforge.config import RunConfig


def _rows(*marks_and_steps: tuple[float, int]) -> list[dict]:
    return [{"minutes": minutes, "steps": steps} for minutes, steps in marks_and_steps]


def test_continues_only_from_a_prefix_of_the_marks_at_the_saved_step(
        tiny_config: RunConfig, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    ganforge.train(tiny_config, run_dir, progress=False)  # 20 steps
    marks = [2.0, 5.0, 10.0, 30.0]
    assert continues(_rows((2, 10), (5, 20)), marks, run_dir)
    assert not continues(_rows((2, 10), (5, 15)), marks, run_dir)   # the folder moved on
    assert not continues(_rows((5, 20)), marks, run_dir)             # not the first marks
    assert not continues(_rows((2, 10), (5, 20)), [5.0, 10.0], run_dir)
    assert not continues([], marks, run_dir)
    assert not continues(_rows((2, 10), (5, 20)), marks, tmp_path / "missing")
