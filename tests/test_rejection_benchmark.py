"""benchmarks/rejection.py: a given quantile is reported beside G's own samples; choosing one
reads a validation split (carved from the training images where the data set has none), and so
does choosing a temperature with it."""

import pytest
from benchmarks.rejection import labelled_rows, main, markdown, study

import ganforge
from ganforge.config import RunConfig, apply_overrides
from ganforge.metrics import keys
from tests.conftest import TINY_OVERRIDES


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    # Trained long enough, from PyTorch's default initialisation, for D's logits to differ
    # between samples (the tiny run's stay equal to float precision: every sample is kept).
    run_dir = tmp_path_factory.mktemp("rejection_benchmark") / "run"
    ganforge.train(apply_overrides(RunConfig(), {
        **TINY_OVERRIDES, "model.mlp.d_init_range": "none", "train.steps": "200",
        "train.optimizer": "adam", "train.d_lr": "2e-3", "train.g_lr": "2e-4",
        "train.lr_decay": "1.0"}), run_dir)
    return run_dir


def test_a_given_quantile_is_scored_beside_gs_samples_on_the_same_draws(tiny_run,
                                                                       quick_classifier):
    result = study(tiny_run, [0.9], draws=2)
    assert result["chosen"] == 0.9 and result["choices"] == []
    plain, kept = result["plain"], result["rejection"]
    assert "acceptance_rate" not in plain and 0 < kept["acceptance_rate"] < 1
    assert kept["quantile"] == 0.9 and plain["floor"] == kept["floor"]
    assert plain["values"][keys.FRECHET_DISTANCE] != kept["values"][keys.FRECHET_DISTANCE]
    assert keys.FRECHET_DISTANCE in kept["standard_error"]  # two draws: a mean +- s.e.
    table = markdown({str(tiny_run): result}, draws=2)
    assert "| G's samples | 100% |" in table and "| rejection, quantile 0.9 |" in table
    assert table.splitlines()[-1].startswith("| real floor |")


def test_quantiles_are_chosen_on_a_validation_split_carved_from_the_training_images(
        tiny_run, quick_classifier):
    result = study(tiny_run, [0.5, 0.9], draws=1)
    choices = result["choices"]
    assert [row["quantile"] for row in choices] == [0.5, 0.9]
    assert result["chosen"] == min(choices, key=lambda row: row["values"][
        keys.FRECHET_DISTANCE])["quantile"]
    # Chosen against the carved split's floor, reported against the test split's.
    assert choices[0]["floor"] != result["plain"]["floor"]


def test_temperatures_are_chosen_with_and_without_rejection_on_the_same_draw(
        tiny_run, quick_classifier):
    result = study(tiny_run, [0.9], draws=1, temperatures=[1.0, 1.5])
    choices = result["choices"]
    # Each temperature: G's own samples, then each quantile's.
    assert [(row["temperature"], row.get("quantile")) for row in choices] == [
        (1.0, None), (1.0, 0.9), (1.5, None), (1.5, 0.9)]
    best = min(choices[1::2], key=lambda row: row["values"][keys.FRECHET_DISTANCE])
    alone = min(choices[0::2], key=lambda row: row["values"][keys.FRECHET_DISTANCE])
    assert (result["temperature"], result["chosen"]) == (best["temperature"], 0.9)
    # The report draws are sampled at the chosen temperatures; T = 1 stays the first row.
    assert result["rejection"]["temperature"] == best["temperature"]
    assert result["heated"]["temperature"] == alone["temperature"]
    assert result["plain"]["temperature"] == 1.0
    labels = [label for label, _ in labelled_rows(result)]
    assert labels[0] == "G's samples" and labels[1] == f"G's samples, T = {alone['temperature']:g}"
    assert labels[2] == "rejection, quantile 0.9" + (
        "" if best["temperature"] == 1.0 else ", T = 1.5")


def test_a_study_without_temperatures_reads_as_before(tiny_run, quick_classifier):
    # Rows saved before --temperatures have no "temperature" and no "heated" row.
    result = study(tiny_run, [0.9], draws=1)
    assert "heated" not in result and result["temperature"] == 1.0
    del result["temperature"]
    assert [label for label, _ in labelled_rows(result)] == [
        "G's samples", "rejection, quantile 0.9"]


@pytest.mark.parametrize("option, value, message", [
    ("--temperatures", "0", "temperature must be a positive number (got 0.0)"),
    ("--quantiles", "1.5", "the rejection quantile must be in (0, 1] (got 1.5)")])
def test_a_bad_option_is_refused_before_any_run_is_read(tmp_path, monkeypatch, option, value,
                                                        message):
    # The run folder does not exist: reading it first would give a different error.
    missing = tmp_path / "no-such-run"
    monkeypatch.setattr("sys.argv", ["rejection.py", str(missing), option, "1.0", value])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert str(exit_.value).startswith(f"error: {message}")
