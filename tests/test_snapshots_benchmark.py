"""benchmarks/snapshots.py: a checkpoint and a temperature are chosen together on the
validation draw, and the report scores that pair beside the last checkpoint's own choice."""

import sys

import pytest
from benchmarks import snapshots

import ganforge
from ganforge.config import RunConfig, apply_overrides
from ganforge.metrics import keys
from tests.conftest import TINY_OVERRIDES


@pytest.fixture(scope="module")
def kept_run(tmp_path_factory):
    """40 steps, a checkpoint kept every 10 (the last one is also latest.pt)."""
    run_dir = tmp_path_factory.mktemp("snapshots_benchmark") / "run"
    ganforge.train(apply_overrides(RunConfig(), {
        **TINY_OVERRIDES, "train.steps": "40", "train.keep_checkpoint_every_steps": "10"}),
        run_dir)
    return run_dir


def fd_row(temperature: float, fd: float) -> dict:
    return {"temperature": temperature, "values": {keys.FRECHET_DISTANCE: fd}}


def test_the_lowest_validation_fd_wins_and_a_tie_goes_to_the_later_step_then_to_t_1():
    checkpoints = [{"validation": [fd_row(1.0, 0.30), fd_row(1.2, 0.21)]},
                   {"validation": [fd_row(1.0, 0.25), fd_row(1.2, 0.22)]}]
    assert snapshots.best_pair(checkpoints) == (0, 1.2)
    checkpoints[1]["validation"][1] = fd_row(1.2, 0.21)
    assert snapshots.best_pair(checkpoints) == (1, 1.2)
    checkpoints[1]["validation"][0] = fd_row(1.0, 0.21)
    assert snapshots.best_pair(checkpoints) == (1, 1.0)


def test_checkpoints_from_the_given_step_are_scored_and_the_best_pair_reported(
        kept_run, quick_classifier):
    result = snapshots.study(kept_run, 20, [1.0, 1.5], choice_seed=1000, draws=1)
    checkpoints = result["checkpoints"]
    # Kept at 20, 30 and 40; latest.pt is step 40's weights again, so it is not scored twice.
    assert [row["step"] for row in checkpoints] == [20, 30, 40]
    assert [row["file"] for row in checkpoints] == ["step-0000020.pt", "step-0000030.pt",
                                                    "step-0000040.pt"]
    assert all([row["temperature"] for row in checkpoint["validation"]] == [1.0, 1.5]
               for checkpoint in checkpoints)
    scored = [(snapshots.validation_fd(row), checkpoint["step"], row["temperature"])
              for checkpoint in checkpoints for row in checkpoint["validation"]]
    best_fd, best_step, best_t = min(scored, key=lambda item: (item[0], -item[1]))
    assert result["chosen"] == {"step": best_step, "temperature": best_t}
    last, *chosen = result["test"]
    assert (last["label"], last["step"], last["temperature"]) == (
        snapshots.LAST, 40, checkpoints[-1]["chosen"])
    if (best_step, best_t) == (40, checkpoints[-1]["chosen"]):
        assert chosen == []
    else:
        assert (chosen[0]["label"], chosen[0]["step"], chosen[0]["temperature"]) == (
            snapshots.CHOSEN, best_step, best_t)
    # Chosen against the validation images, reported against the test images, on other draws.
    assert last["seed"] == 0 and checkpoints[0]["validation"][0]["seed"] == 1000
    assert last["floor"] != checkpoints[0]["validation"][0]["floor"]
    table = snapshots.markdown({"run": result})
    assert f"| {best_step:,} |" in table and "**" in table
    assert table.splitlines()[-1].startswith("| real floor (test vs training images) |")


def test_a_run_that_kept_nothing_there_is_one_line_naming_the_setting(kept_run):
    with pytest.raises(SystemExit) as exit_:
        snapshots.candidates(kept_run, 50)
    assert str(exit_.value.code).startswith("error: ")
    assert "keep_checkpoint_every_steps" in str(exit_.value.code)
    assert [path.name for path in snapshots.candidates(kept_run, 30)] == [
        "step-0000030.pt", "step-0000040.pt", "latest.pt"]


def test_a_missing_run_folder_is_one_line_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", ["snapshots.py", "--runs", str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit) as exit_:
        snapshots.main()
    assert str(exit_.value.code).startswith("error: ") and "nowhere" in str(exit_.value.code)


@pytest.mark.parametrize("option,value,message", [
    ("--choice-seed", "1", "--choice-seed 1 is one of the report's draws"),
    ("--temperatures", "0", "temperature")])
def test_a_bad_option_is_refused_before_any_run_is_read(monkeypatch, tmp_path, capsys, option,
                                                        value, message):
    monkeypatch.setattr(sys, "argv", ["snapshots.py", "--runs", str(tmp_path / "nowhere"),
                                      "--draws", "3", option, value])
    with pytest.raises(SystemExit) as exit_:
        snapshots.main()
    text = str(exit_.value.code) + capsys.readouterr().err
    assert message in text and "nowhere" not in text
