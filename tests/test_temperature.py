"""ganforge.temperature and `ganforge tune-temperature`: the choice is made on the validation
split and on samples `evaluate` does not read, kept for one checkpoint, and used by name."""

import dataclasses
import json
import warnings

import pytest

import ganforge
from ganforge import temperature as tuning
from ganforge.cli import main
from ganforge.errors import ConfigError, GanforgeWarning
from ganforge.metrics import keys
from tests.conftest import train_digits_run


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """With a moving average of G: its averaged and raw weights differ."""
    return train_digits_run(tmp_path_factory.mktemp("temperature") / "run",
                            **{"train.ema_decay": "0.9"})


FLOOR = {keys.PRECISION: 0.94, keys.RECALL: 0.93, keys.DENSITY: 1.0, keys.COVERAGE: 0.96}


@pytest.fixture
def with_validation(monkeypatch):
    """The 8x8 digits have no validation split: lend them one (their 180 test digits), as
    full MNIST has its 10,000."""
    def build(config):
        dataset = ganforge.build_dataset(config)
        return dataclasses.replace(dataset, validation=dataset.test,
                                   validation_labels=dataset.test_labels)

    monkeypatch.setattr(tuning, "build_dataset", build)


def row(temperature, **values):
    scores = {**FLOOR, **values}
    return {"temperature": temperature, "values": scores, "floor": FLOOR,
            "weakest_ratio": tuning.weakest_ratio(scores, FLOOR)}


def test_the_weakest_ratio_is_the_lowest_of_the_four_against_the_floor():
    values = {keys.PRECISION: 0.95, keys.RECALL: 0.837, keys.DENSITY: 1.1, keys.COVERAGE: 0.912}
    assert tuning.weakest_ratio(values, FLOOR) == pytest.approx(0.837 / 0.93)  # 0.9 (recall)


def test_the_prdc_criterion_takes_the_highest_weakest_ratio_and_on_a_tie_nearest_1():
    rows = [row(0.9, **{keys.RECALL: 0.80}), row(1.0, **{keys.RECALL: 0.85}),
            row(1.1, **{keys.RECALL: 0.90}), row(1.2, **{keys.DENSITY: 0.5})]
    assert tuning.pick(rows, "prdc") == 1.1
    tied = [row(0.9), row(1.05), row(1.2)]  # all at the floor: ratio 1 each
    assert tuning.pick(tied, "prdc") == 1.05


def test_fd_the_default_takes_the_lowest_fd_whatever_prdc_says_and_on_a_tie_nearest_1():
    rows = [row(1.0, **{keys.FRECHET_DISTANCE: 0.30}),
            row(1.1, **{keys.FRECHET_DISTANCE: 0.25, keys.DENSITY: 0.80}),
            row(1.2, **{keys.FRECHET_DISTANCE: 0.27})]
    assert tuning.pick(rows, "prdc") == 1.0  # density 0.8 makes 1.1 the weakest by PRDC
    assert tuning.pick(rows) == tuning.pick(rows, "fd") == 1.1
    tied = [row(0.9, **{keys.FRECHET_DISTANCE: 0.2}), row(1.05, **{keys.FRECHET_DISTANCE: 0.2})]
    assert tuning.pick(tied, "fd") == 1.05


def test_an_unknown_criterion_is_refused_before_anything_is_scored(digits_run):
    generator = ganforge.load_generator(digits_run, device="cpu")
    with pytest.raises(ConfigError, match="no temperature criterion named 'fid'; choose one of "
                                          "fd, prdc"):
        tuning.choose_temperature(generator, [1.0], criterion="fid")
    with pytest.raises(ConfigError, match="named 'kid'"):
        tuning.pick([row(1.0)], "kid")


def test_a_data_set_without_a_validation_split_chooses_on_training_images_carved_out(
        digits_run, quick_classifier):
    generator = ganforge.load_generator(digits_run, device="cpu")
    choice = tuning.choose_temperature(generator, [1.0, 1.5], n_samples=150, progress=False)
    assert choice.held_out.startswith("180 training images held out as validation")
    assert choice.to_dict()["held_out"] == choice.held_out
    # Exactly an evaluation against the carved split: its images as the floor's held-out side,
    # the rest of the training images as the reference.
    carved = ganforge.build_dataset(generator.config.data).carve_validation()
    generator.temperature = 1.5
    again = ganforge.evaluate(generator, metrics=["fd"], dataset=carved, seed=1000,
                              n_samples=150, progress=False)
    assert again["fd"].values[keys.FRECHET_DISTANCE] == pytest.approx(
        choice.scores[1]["values"][keys.FRECHET_DISTANCE])
    assert again["fd"].floor == pytest.approx(
        {key: choice.scores[1]["floor"][key] for key in again["fd"].floor})
    # ... and not one against the test split, which it never reads.
    reported = ganforge.evaluate(generator, metrics=["fd"], seed=1000, n_samples=150,
                                 progress=False)
    assert reported["fd"].floor != again["fd"].floor


def test_temperatures_are_all_checked_before_any_is_scored(digits_run, with_validation):
    generator = ganforge.load_generator(digits_run, device="cpu")
    with pytest.raises(ConfigError, match=r"positive number \(got -1"):
        tuning.choose_temperature(generator, [1.0, -1.0])
    with pytest.raises(ConfigError, match=r"positive number \(got inf"):
        tuning.choose_temperature(generator, [1.0, float("inf")])
    with pytest.raises(ConfigError, match="at least one"):
        tuning.choose_temperature(generator, [])


def test_the_choice_scores_every_temperature_on_validation_and_leaves_g_as_it_was(
        digits_run, with_validation, quick_classifier):
    generator = ganforge.load_generator(digits_run, device="cpu", temperature=0.8)
    choice = tuning.choose_temperature(generator, [1.0, 0.25, 1.0, 2.0], n_samples=150,
                                       progress=False)
    assert generator.temperature == 0.8
    assert [row["temperature"] for row in choice.scores] == [0.25, 1.0, 2.0]
    assert choice.temperature == tuning.pick(choice.scores) and choice.step == 60
    assert all(row["seed"] == tuning.CHOICE_SEED == 1000 for row in choice.scores)
    fds = [row["values"][keys.FRECHET_DISTANCE] for row in choice.scores]
    assert len(set(fds)) == 3  # each temperature draws different samples
    # The same samples and images as an evaluation of the validation split at that temperature.
    validation = tuning.build_dataset(generator.config.data).validation_as_held_out()
    generator.temperature = 2.0
    again = ganforge.evaluate(generator, metrics=["fd"], dataset=validation, seed=1000,
                              n_samples=150, progress=False)
    assert again["fd"].values[keys.FRECHET_DISTANCE] == pytest.approx(fds[2])
    for row_ in choice.scores:
        assert row_["weakest_ratio"] == pytest.approx(
            tuning.weakest_ratio(row_["values"], row_["floor"]))


def store(run_dir, temperature=1.05, step=60, use_ema=True):
    choice = tuning.TemperatureChoice(temperature=temperature, step=step, use_ema=use_ema,
                                      seed=1000, scores=[])
    return tuning.save_choice(choice, run_dir)


def test_a_stored_choice_is_read_back_for_its_own_checkpoint_only(digits_run):
    path = store(digits_run)
    assert path == digits_run / "temperature.json"
    stored = json.loads(path.read_text())
    assert stored["criterion"] == "fd" == tuning.DEFAULT_CRITERION
    assert stored["criterion_described"] == tuning.CRITERIA["fd"].description
    assert tuning.tuned_temperature(digits_run) == 1.05
    assert tuning.tuned_temperature(digits_run / "checkpoints" / "latest.pt") == 1.05
    with pytest.raises(ConfigError, match="chosen for G's averaged"):
        tuning.tuned_temperature(digits_run, use_ema=False)
    store(digits_run, step=40)
    with pytest.raises(ConfigError, match="chosen for step 40; the checkpoint is at step 60: "
                                          "run `ganforge tune-temperature"):
        tuning.tuned_temperature(digits_run)
    path.write_text('{"temperature": 1.1}')
    with pytest.raises(ConfigError, match="is not a temperature choice"):
        tuning.tuned_temperature(digits_run)
    path.unlink()
    with pytest.raises(ConfigError, match="temperature.json not found; run `ganforge "
                                          "tune-temperature"):
        tuning.tuned_temperature(digits_run)


def test_a_kept_checkpoints_choice_has_its_own_file_and_leaves_the_runs_alone(tmp_path):
    run_dir = train_digits_run(tmp_path / "kept", **{"train.keep_checkpoint_every_steps": "30"})
    kept = run_dir / "checkpoints" / "step-0000030.pt"
    path = store(kept, temperature=1.1, step=30)
    assert path == run_dir / "temperature-step-0000030.json"
    assert tuning.tuned_temperature(kept) == 1.1
    # The run folder's own choice (for latest.pt, step 60) was neither written nor replaced.
    with pytest.raises(ConfigError, match="temperature.json not found"):
        tuning.tuned_temperature(run_dir)
    assert store(run_dir) == run_dir / "temperature.json"
    assert tuning.tuned_temperature(run_dir) == 1.05 and tuning.tuned_temperature(kept) == 1.1
    # A missing choice for a kept checkpoint names the file to tune.
    other = run_dir / "checkpoints" / "step-0000060.pt"
    with pytest.raises(ConfigError, match=r"temperature-step-0000060.json not found; run "
                                          r"`ganforge tune-temperature .*step-0000060.pt`"):
        tuning.tuned_temperature(other)


def test_a_run_without_a_moving_average_takes_its_choice_for_either_weights(tmp_path):
    run_dir = train_digits_run(tmp_path / "plain")  # one set of weights: raw = "averaged"
    store(run_dir, temperature=0.95, use_ema=True)
    assert tuning.tuned_temperature(run_dir, use_ema=False) == 0.95


def test_the_command_chooses_writes_and_sample_and_evaluate_use_it_by_name(
        digits_run, with_validation, quick_classifier, tmp_path, capsys):
    assert main(["tune-temperature", str(digits_run), "--temperatures", "0.5", "1", "1.5",
                 "--n-samples", "150", "--device", "cpu", "--criterion", "prdc"]) == 0
    captured = capsys.readouterr()
    stored = json.loads((digits_run / "temperature.json").read_text())
    assert stored["step"] == 60 and stored["use_ema"] and len(stored["scores"]) == 3
    assert f"chose temperature {stored['temperature']:g} for step 60 by 'prdc' on the 180 " \
        "images of the validation split" in captured.err
    assert stored["temperature"] == tuning.pick(stored["scores"], "prdc")
    table = captured.out.splitlines()
    assert "weakest/floor" in table[0] and table[-2].split()[0] == "floor"
    assert table[-1] == f"* chosen by 'prdc': {tuning.CRITERIA['prdc'].description}"
    assert sum(line.endswith(" *") for line in table) == 1

    assert main(["sample", str(digits_run), "--out", str(tmp_path / "grid.png"),
                 "--temperature", "tuned"]) == 0
    assert f"temperature {stored['temperature']:g}, chosen on the validation split" in \
        capsys.readouterr().err
    assert main(["evaluate", str(digits_run), "--metrics", "fd", "--n-samples", "150",
                 "--temperature", "TUNED"]) == 0
    record = json.loads((digits_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert record["temperature"] == stored["temperature"]
    # The raw weights were not the ones chosen for.
    capsys.readouterr()
    assert main(["sample", str(digits_run), "--out", str(tmp_path / "raw.png"),
                 "--raw-weights", "--temperature", "tuned"]) == 2
    assert "--raw-weights for these" in capsys.readouterr().err


def test_the_command_refuses_a_temperature_that_is_not_a_number(digits_run, capsys):
    assert main(["sample", str(digits_run), "--out", "x.png", "--temperature", "warm"]) == 2
    assert "must be a number or 'tuned' (got 'warm')" in capsys.readouterr().err


def test_the_command_chooses_by_fd_unless_told_and_refuses_an_unknown_criterion(
        digits_run, with_validation, quick_classifier, capsys):
    with warnings.catch_warnings():  # this tiny G's FD may be lowest at an edge: not the point
        warnings.simplefilter("ignore", GanforgeWarning)
        assert main(["tune-temperature", str(digits_run), "--temperatures", "0.5", "1", "1.5",
                     "--n-samples", "150", "--device", "cpu"]) == 0
    stored = json.loads((digits_run / "temperature.json").read_text())
    fds = {row["temperature"]: row["values"][keys.FRECHET_DISTANCE] for row in stored["scores"]}
    assert stored["criterion"] == "fd" and stored["temperature"] == min(fds, key=fds.get)
    captured = capsys.readouterr()
    assert "by 'fd'" in captured.err
    assert captured.out.splitlines()[-1].startswith("* chosen by 'fd': the lowest Frechet")
    assert main(["tune-temperature", str(digits_run), "--criterion", "FID"]) == 2
    err = capsys.readouterr().err
    assert "no temperature criterion named 'FID'; choose one of fd, prdc" in err
    assert len(err.strip().splitlines()) == 1


def test_a_choice_made_with_measured_batchnorm_statistics_is_used_with_them_only(
        batchnorm_run, with_validation, quick_classifier, tmp_path, capsys):
    with warnings.catch_warnings():  # an edge choice is not the point
        warnings.simplefilter("ignore", GanforgeWarning)
        assert main(["tune-temperature", str(batchnorm_run), "--temperatures", "0.5", "1",
                     "--n-samples", "150", "--device", "cpu", "--measure-batchnorm", "2"]) == 0
    assert "G's BatchNorm statistics measured on 2 batches of 32 of its own samples (seed " \
        "2000); 1 BatchNorm layer: means moved" in capsys.readouterr().err
    stored = json.loads((batchnorm_run / "temperature.json").read_text())
    # Batches as large as the run's (train.batch_size 32), on the library's own seed.
    assert stored["batchnorm_measured"] == {"batches": 2, "batch_size": 32, "seed": 2000}
    # The same statistics: the choice applies, and the score records how they were had.
    assert main(["evaluate", str(batchnorm_run), "--metrics", "fd", "--n-samples", "150",
                 "--temperature", "tuned", "--measure-batchnorm", "2"]) == 0
    assert "scored with G's BatchNorm statistics measured on 2 batches" in \
        capsys.readouterr().err
    record = json.loads((batchnorm_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert record["batchnorm_measured"] == stored["batchnorm_measured"]
    assert record["temperature"] == stored["temperature"]
    # Other statistics (kept, or measured on other batches): refused in one line.
    for other in ([], ["--measure-batchnorm", "3"]):
        assert main(["sample", str(batchnorm_run), "--out", str(tmp_path / "grid.png"),
                     "--temperature", "tuned", *other]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1
        assert "was chosen with G's BatchNorm statistics measured on 2 batches of 32 (seed " \
            "2000), not " in err
        assert err.endswith(f"--measure-batchnorm {other[1]} for these" if other
                            else f"tune-temperature {batchnorm_run}` for these")
    assert not (tmp_path / "grid.png").exists()


def test_a_choice_made_with_kept_statistics_is_refused_for_measured_ones(batchnorm_run):
    path = store(batchnorm_run)
    stored = json.loads(path.read_text())
    assert stored.pop("batchnorm_measured") is None
    path.write_text(json.dumps(stored))  # as written before the option existed
    assert tuning.tuned_temperature(batchnorm_run) == 1.05
    with pytest.raises(ConfigError, match="as training kept them, not measured on 4 batches "
                                          "of 32 .seed 2000.*--measure-batchnorm 4 for these"):
        tuning.tuned_temperature(batchnorm_run, measure_batchnorm=4)
    path.write_text(json.dumps({**stored, "batchnorm_measured": {"batches": 4}}))
    with pytest.raises(ConfigError, match="is not a temperature choice .KeyError"):
        tuning.tuned_temperature(batchnorm_run, measure_batchnorm=4)
