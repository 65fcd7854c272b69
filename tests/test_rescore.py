"""benchmarks/rescore.py: finished runs scored again on several draws of samples."""

from pathlib import Path

import pytest
from benchmarks.rescore import markdown, score

import ganforge
from ganforge.config import RunConfig, apply_overrides
from ganforge.metrics import keys


def test_a_run_is_scored_as_the_mean_of_its_draws(tiny_config: RunConfig, tmp_path: Path,
                                                  quick_classifier) -> None:
    config = apply_overrides(tiny_config, {"data.name": "digits"})
    ganforge.train(config, tmp_path / "run", progress=False)
    row = score(tmp_path / "run", ["fd"], draws=3)
    singles = [ganforge.evaluate(tmp_path / "run", metrics=["fd"], seed=seed, log=False,
                                 progress=False)["fd"].values[keys.FRECHET_DISTANCE]
               for seed in range(3)]
    assert row["values"][keys.FRECHET_DISTANCE] == pytest.approx(sum(singles) / 3)
    assert row["standard_error"][keys.FRECHET_DISTANCE] > 0
    assert (row["data"], row["steps"]) == ("digits", 20)
    assert not (tmp_path / "run" / "metrics.jsonl").exists()  # nothing logged
    lines = markdown([row]).splitlines()
    assert lines[0] == "| run | steps | FD |"
    assert lines[2].startswith(f"| {tmp_path / 'run'} | 20 | ")
    assert " +- " in lines[2] and lines[3].startswith("| real floor | | ")
