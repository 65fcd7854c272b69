"""benchmarks/precision_speed.py: the steps/s it reads from a run log, and its matmul probe."""

import json
from pathlib import Path

import pytest
import torch
from benchmarks.precision_speed import matmul_gflops, steps_per_second


def test_steps_per_second_spans_the_first_and_last_logged_steps(tmp_path: Path) -> None:
    records = [{"step": 1, "elapsed_s": 0.5}, {"step": 101, "elapsed_s": 2.5},
               {"step": 301, "elapsed_s": 6.5}]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    # 300 steps in 6 seconds, the time before the first step (loading, warm-up) left out.
    assert steps_per_second(tmp_path) == pytest.approx(50.0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_the_matmul_probe_reports_a_positive_finite_rate(dtype: torch.dtype) -> None:
    gflops = matmul_gflops(dtype, rows=8, inner=16, cols=16, seconds=0.05)
    # Timing cannot be checked against a known answer; this only guards the probe's plumbing.
    assert 0.0 < gflops < 1e5
