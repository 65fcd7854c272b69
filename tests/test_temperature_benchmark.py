"""benchmarks/temperature.py: the temperature is chosen on samples the report does not score,
and the summary compares FD at the chosen temperature with T = 1."""

import sys

import pytest
from benchmarks import temperature

from ganforge.metrics import keys

FLOOR = {keys.FRECHET_DISTANCE: 0.05, keys.PRECISION: 0.94, keys.RECALL: 0.93,
         keys.DENSITY: 1.0, keys.COVERAGE: 0.96}


def row(temperature_: float, fd: float, recall: float, *, seed: int, draws: int) -> dict:
    values = {**FLOOR, keys.FRECHET_DISTANCE: fd, keys.RECALL: recall}
    return {"temperature": temperature_, "step": 30_000, "values": values, "floor": FLOOR,
            "weakest_ratio": temperature.weakest_ratio(values, FLOOR), "seed": seed,
            "draws": draws, "standard_error": {keys.FRECHET_DISTANCE: 0.004} if draws > 1 else {}}


def run_rows(fd_one: float, fd_hot: float) -> dict:
    return {"validation": [row(1.0, fd_one, 0.87, seed=1000, draws=1),
                           row(1.05, fd_hot, 0.89, seed=1000, draws=1)],
            "chosen": 1.05,
            "test": [row(1.0, fd_one, 0.87, seed=0, draws=3),
                     row(1.05, fd_hot, 0.89, seed=0, draws=3)]}


def test_the_summary_gives_fd_at_the_chosen_temperature_against_t_1_over_the_runs():
    text = temperature.markdown({"a": run_rows(0.17, 0.15), "b": run_rows(0.19, 0.16)})
    summary = text.splitlines()[-1]
    # Means over the two runs: 0.155 at T = 1.05, 0.180 at T = 1; 3.1x and 3.6x the 0.05 floor.
    assert "FD is 0.155 (3.10x the floor 0.0500) against 0.180 (3.60x) at T = 1" in summary
    # Studies stored before each kept its rule chose by PRDC, ganforge's default then.
    assert summary.startswith("Chosen by 'prdc': temperatures 1.05, 1.05; ")
    mixed = temperature.markdown({"a": run_rows(0.17, 0.15),
                                  "b": {**run_rows(0.19, 0.16), "criterion": "fd"}})
    assert mixed.splitlines()[-1].startswith("Chosen by 'fd' / 'prdc': temperatures 1.05, 1.05")
    # recall 0.89 / 0.93 is the weakest ratio at the chosen temperature
    assert f"{0.89 / 0.93:.3f}x the floor at the chosen temperature" in summary
    assert "| a | 30,000 | seeds 0-2, test | 1.05 | 0.150 +- 0.004 |" in text
    assert "| a | 30,000 | seed 1000, validation | 1.05 (chosen) | 0.150 |" in text


def test_each_criterions_choice_is_marked_and_summarised_beside_the_studys_own():
    # PRDC chose 1.05 (recall nearer the floor); FD alone would take 1.1 (0.14 on validation).
    def with_fd_choice(fd_one, fd_hot, fd_hotter):
        rows = run_rows(fd_one, fd_hot)
        rows["validation"].append(row(1.1, 0.14, 0.85, seed=1000, draws=1))
        rows["test"].append(row(1.1, fd_hotter, 0.85, seed=0, draws=3))
        return {**rows, "criterion": "prdc", "choices": {"prdc": 1.05, "fd": 1.1}}

    text = temperature.markdown({"a": with_fd_choice(0.17, 0.15, 0.13),
                                 "b": with_fd_choice(0.19, 0.16, 0.15)})
    assert "| a | 30,000 | seed 1000, validation | 1.05 (chosen) |" in text
    assert "| a | 30,000 | seed 1000, validation | 1.1 (fd's choice) |" in text
    summary = text.splitlines()[-1]
    assert "FD is 0.155 (3.10x the floor" in summary  # the study's own choice stays the headline
    assert summary.endswith("By 'fd': temperatures 1.1, 1.1, FD 0.140.")
    # A study stored before criteria were (no "choices") adds nothing, and neither does a mix.
    assert "By 'fd'" not in temperature.markdown({"a": run_rows(0.17, 0.15)})
    assert "By 'fd'" not in temperature.markdown({"a": run_rows(0.17, 0.15),
                                                  "b": with_fd_choice(0.19, 0.16, 0.15)})


def test_a_choice_seed_among_the_reports_draws_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--runs", "RUN", "--draws", "3",
                                      "--choice-seed", "1"])
    with pytest.raises(SystemExit) as exit_:
        temperature.main()
    assert exit_.value.code == 2
    assert "--choice-seed 1 is one of the report's draws" in capsys.readouterr().err


def test_a_missing_run_folder_is_one_line_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--runs", str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit) as exit_:
        temperature.main()
    assert str(exit_.value.code).startswith("error: ") and "nowhere" in str(exit_.value.code)


def test_a_tag_keys_the_run_under_it(tmp_path):
    run = tmp_path / "bf16" / "mnist-mnist-dcgan-selfcond-seed0"
    assert temperature.run_key(run, None) == "mnist-mnist-dcgan-selfcond-seed0"
    assert temperature.run_key(run, "bf16") == "bf16/mnist-mnist-dcgan-selfcond-seed0"


def test_a_key_held_by_another_run_is_refused_and_the_same_run_may_replace_it():
    stored = {"a": run_rows(0.17, 0.15)}  # studied at step 30,000, before configs were stored
    temperature.refuse_other_run(stored, "a", 30_000, "f1")  # compared by step alone: allowed
    temperature.refuse_other_run(stored, "b", 94_100, "f1")  # a new key: allowed
    with pytest.raises(SystemExit) as exit_:
        temperature.refuse_other_run(stored, "a", 94_100, "f1")
    message = str(exit_.value.code)
    assert message.startswith("error: ") and "step 30,000" in message and "94,100" in message
    assert "--tag" in message
    # Two variants trained for the same --steps: same name, same step, another configuration.
    stored["a"]["config"] = "f1"
    temperature.refuse_other_run(stored, "a", 30_000, "f1")
    with pytest.raises(SystemExit) as exit_:
        temperature.refuse_other_run(stored, "a", 30_000, "f2")
    assert "another configuration" in str(exit_.value.code)


def test_the_fingerprint_follows_the_configuration():
    from ganforge.config import apply_overrides, load_config

    preset = load_config("mnist-dcgan-selfcond")
    variant = apply_overrides(preset, {"train.autocast_bf16": "true"})

    def of(config):
        return temperature.fingerprint(type("G", (), {"config": config})())

    assert of(preset) == of(load_config("mnist-dcgan-selfcond"))
    assert of(preset) != of(variant)


class _Generator:
    step = 94_100
    config = None  # fingerprint() is replaced below


def test_main_refuses_a_taken_key_before_studying_and_keeps_the_stored_entry(
        monkeypatch, tmp_path):
    results = tmp_path / "temperature.json"
    stored = {"mnist-mnist-dcgan-selfcond-seed0": run_rows(0.17, 0.15)}
    temperature.save_results(stored, results)
    before = results.read_text()
    monkeypatch.setattr(temperature, "RESULTS", results)
    monkeypatch.setattr(temperature.ganforge, "load_generator", lambda *a, **k: _Generator())
    monkeypatch.setattr(temperature, "fingerprint", lambda generator: "f1")

    def no_study(*args, **kwargs):
        raise AssertionError("studied a run whose key is taken")

    monkeypatch.setattr(temperature, "study", no_study)
    run = str(tmp_path / "bf16" / "mnist-mnist-dcgan-selfcond-seed0")
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--runs", run])
    with pytest.raises(SystemExit) as exit_:
        temperature.main()
    assert "pass --tag NAME" in str(exit_.value.code)
    assert results.read_text() == before
    # With a tag, the same run is studied under its own key beside the stored one.
    monkeypatch.setattr(temperature, "study", lambda generator, name, *a: run_rows(0.14, 0.12))
    monkeypatch.setattr(temperature, "markdown", lambda fresh: ", ".join(fresh))
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--runs", run, "--tag", "bf16"])
    temperature.main()
    assert set(temperature.load_results(results)) == {
        "mnist-mnist-dcgan-selfcond-seed0", "bf16/mnist-mnist-dcgan-selfcond-seed0"}
    assert temperature.load_results(results)["bf16/mnist-mnist-dcgan-selfcond-seed0"][
        "config"] == "f1"


def test_measured_batchnorm_is_keyed_apart_and_stored_with_how_far_it_moved(
        monkeypatch, tmp_path, batchnorm_run):
    results = tmp_path / "temperature.json"
    monkeypatch.setattr(temperature, "RESULTS", results)
    measured = []

    def study(generator, name, *args):
        measured.append(generator.network)  # the statistics are measured before the study
        return run_rows(0.14, 0.12)

    monkeypatch.setattr(temperature, "study", study)
    monkeypatch.setattr(temperature, "markdown", lambda fresh: ", ".join(fresh))
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--runs", str(batchnorm_run), "--tag",
                                      "bn", "--measure-batchnorm", "2"])
    temperature.main()
    stored = temperature.load_results(results)
    assert list(stored) == ["bn/run/measure-batchnorm=2"]
    moved = stored["bn/run/measure-batchnorm=2"]["batchnorm_moved"]
    assert moved and all(layer["mean_shift"] > 0 for layer in moved)
    assert len(measured) == 1 and not measured[0].training
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--runs", str(batchnorm_run),
                                      "--measure-batchnorm", "-1"])
    with pytest.raises(SystemExit) as exit_:
        temperature.main()
    assert exit_.value.code == 2  # argparse's usage error, before anything is read


def test_show_prints_stored_studies_in_the_order_asked_and_scores_nothing(
        monkeypatch, tmp_path, capsys):
    results = tmp_path / "temperature.json"
    temperature.save_results({"preset/run": run_rows(0.17, 0.15),
                              "variant/run": run_rows(0.13, 0.11),
                              "other/run": run_rows(0.30, 0.25)}, results)
    monkeypatch.setattr(temperature, "RESULTS", results)

    def no_loading(*args, **kwargs):
        raise AssertionError("--show loaded a run")

    monkeypatch.setattr(temperature.ganforge, "load_generator", no_loading)
    written = []
    monkeypatch.setattr(temperature, "replace_block", lambda text, *a: written.append(text))
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--show", "variant/run", "preset/run",
                                      "--write"])
    temperature.main()
    table = capsys.readouterr().out
    assert table.index("| variant/run |") < table.index("| preset/run |")
    assert "other/run" not in table
    # The summary averages the two shown runs only: (0.11 + 0.15) / 2 and (0.13 + 0.17) / 2.
    assert "FD is 0.130 (2.60x the floor 0.0500) against 0.150 (3.00x) at T = 1" in table
    assert written == [f"{temperature.START}\n{table.rstrip()}\n{temperature.END}"]


def test_show_of_a_missing_key_is_one_line_naming_the_near_keys(monkeypatch, tmp_path):
    results = tmp_path / "temperature.json"
    temperature.save_results({"f25-bf16/mnist-seed0": run_rows(0.17, 0.15)}, results)
    monkeypatch.setattr(temperature, "RESULTS", results)
    monkeypatch.setattr(sys, "argv", ["temperature.py", "--show", "f25-bf16/mnist-seed9"])
    with pytest.raises(SystemExit) as exit_:
        temperature.main()
    message = str(exit_.value.code)
    assert message.startswith("error: ") and "'f25-bf16/mnist-seed9'" in message
    assert message.endswith("keys like it: f25-bf16/mnist-seed0")


def test_show_refuses_runs_and_the_options_that_only_steer_a_study(monkeypatch, capsys):
    for argv, named in ((["--show", "a", "--runs", "RUN"], "--runs"),
                        (["--show", "a", "--tag", "bf16"], "--tag"),
                        (["--show", "a", "--draws", "3", "--temperatures", "1.1"],
                         "--temperatures, --draws would have no effect"),
                        # the defaults, typed: still options --show would ignore
                        (["--show", "a", "--draws=1", "--criterion", "prdc"],
                         "--draws, --criterion would have no effect")):
        monkeypatch.setattr(sys, "argv", ["temperature.py", *argv])
        with pytest.raises(SystemExit) as exit_:
            temperature.main()
        assert exit_.value.code == 2
        assert named in capsys.readouterr().err
