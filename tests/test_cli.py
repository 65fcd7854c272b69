"""The command line, run in-process: outputs, exit codes and one-line errors."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge import load_generator
from ganforge.cli import main
from ganforge.models.conditional import ClassBatchNorm
from tests.conftest import TINY_OVERRIDES, write_idx

TINY_ARGS = [arg for key, value in TINY_OVERRIDES.items() for arg in (f"--{key}", value)]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err, code, expected_code, *fragments):
    assert code == expected_code
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("ganforge: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    assert main(["train", "--run-dir", str(run_dir), *TINY_ARGS]) == 0
    return run_dir


def test_train_writes_the_run_folder(trained_run):
    saved = json.loads((trained_run / "config.json").read_text())
    assert saved["train"]["steps"] == 20 and saved["precision"] == "fp32"
    lines = (trained_run / "train.jsonl").read_text().splitlines()
    assert len(lines) == 20
    record = json.loads(lines[-1])
    assert {"step", "d_loss", "g_loss", "value", "d_real", "d_fake"} <= record.keys()
    assert (trained_run / "checkpoints" / "latest.pt").is_file()
    assert sorted(p.name for p in (trained_run / "samples").iterdir()) == [
        "final.png", "step_0000010.png", "step_0000020.png"]


def test_sample_to_grid_npz_and_folder(trained_run, tmp_path, capsys):
    assert run(capsys, "sample", trained_run, "--n", 9, "--out", tmp_path / "g.png")[0] == 0
    with Image.open(tmp_path / "g.png") as image:
        assert image.size[0] == image.size[1]
    assert run(capsys, "sample", trained_run, "--n", 5, "--out", tmp_path / "s.npz",
               "--seed", 1)[0] == 0
    samples = np.load(tmp_path / "s.npz")["samples"]
    assert samples.shape == (5, 1, 8, 8) and samples.dtype == np.float32
    assert 0 <= samples.min() and samples.max() <= 1
    run(capsys, "sample", trained_run, "--n", 5, "--out", tmp_path / "t.npz", "--seed", 1)
    assert np.array_equal(samples, np.load(tmp_path / "t.npz")["samples"])
    assert run(capsys, "sample", trained_run, "--n", 3, "--out", tmp_path / "pngs")[0] == 0
    assert len(list((tmp_path / "pngs").glob("*.png"))) == 3


def test_sample_walks_and_nearest_neighbours(trained_run, tmp_path, capsys, quick_classifier):
    code, _, err = run(capsys, "sample", trained_run, "--interpolate", 6, "--n", 12, "--out",
                       tmp_path / "walk.png")
    assert code == 0 and "2 latent walks of 6 steps" in err
    with Image.open(tmp_path / "walk.png") as image:  # 2 rows of 6 8-px images, 2 px apart, x7
        assert image.size == ((6 * 10 + 2) * 7, (2 * 10 + 2) * 7)
    code, _, err = run(capsys, "sample", trained_run, "--nearest", "--n", 4, "--out",
                       tmp_path / "nn.png")
    assert code == 0 and "pixel, then feature-space nearest" in err
    assert any(err.count(word) for word in ("copying", "Copying", "Closer"))
    with Image.open(tmp_path / "nn.png") as image:  # 4 rows: sample + 3 + 3 neighbours
        assert image.size[0] > image.size[1]


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "conditional"
    assert main(["train", "--run-dir", str(run_dir), *TINY_ARGS, "--model.conditional",
                 "true"]) == 0
    return run_dir


def test_conditional_sampling_by_class(conditional_run, trained_run, tmp_path, capsys):
    assert run(capsys, "sample", conditional_run, "--class", 7, "--n", 4, "--out",
               tmp_path / "sevens.npz", "--seed", 3)[0] == 0
    assert run(capsys, "sample", conditional_run, "--classes", "all", "--n", 20, "--out",
               tmp_path / "all.png")[0] == 0
    with Image.open(tmp_path / "all.png") as image:  # 10 rows of 2: one row per class
        assert image.size[1] > 4 * image.size[0]
    # Fewer samples asked for than classes: still every class once, in a square grid (4 x 3),
    # not a one-image-wide column; a count that does not divide evenly rounds down per class.
    code, _, err = run(capsys, "sample", conditional_run, "--classes", "all", "--n", 5, "--out",
                       tmp_path / "few.png")
    assert code == 0 and "wrote 10 samples" in err
    with Image.open(tmp_path / "few.png") as image:
        assert image.size[0] > image.size[1]
    code, _, err = run(capsys, "sample", conditional_run, "--classes", "all", "--n", 25, "--out",
                       tmp_path / "uneven.npz")
    assert code == 0 and "wrote 20 samples" in err
    assert np.load(tmp_path / "uneven.npz")["samples"].shape[0] == 20
    code, _, err = run(capsys, "sample", conditional_run, "--class", 10, "--out",
                       tmp_path / "x.png")
    assert_one_line_error(err, code, 2, "class must be in 0..9")
    code, _, err = run(capsys, "sample", trained_run, "--class", 1, "--out", tmp_path / "y.png")
    assert_one_line_error(err, code, 2, "need a class-conditional run")


def test_batchnorm_conditioned_g_trains_resumes_and_samples_by_class(capsys, tmp_path):
    # The per-class BatchNorm gains must survive the checkpoint, the EMA copy and a resume.
    run_dir = tmp_path / "cbn"
    args = [*TINY_ARGS, "--model.arch", "dcgan", "--model.g-output", "tanh",
            "--model.dcgan.g-channels", 4, "--model.dcgan.d-channels", 4,
            "--model.dcgan.g-hidden", 16, "--model.conditional", "true",
            "--model.g-conditioning", "batchnorm", "--train.steps", 10]
    assert run(capsys, "train", "--run-dir", run_dir, *args)[0] == 0
    assert run(capsys, "train", "--resume", run_dir, "--train.steps", 12)[0] == 0
    assert len((run_dir / "train.jsonl").read_text().splitlines()) == 12
    sampler = load_generator(run_dir, use_ema=False)  # the EMA has hardly left 1 in 12 steps
    gains = [module.gain.weight for module in sampler.network.modules()
             if isinstance(module, ClassBatchNorm)]
    assert gains and all(not torch.allclose(gain, torch.ones_like(gain)) for gain in gains)
    same_noise_two_classes = [sampler.sample(4, seed=0, labels=label) for label in (3, 8)]
    assert not torch.allclose(*same_noise_two_classes)
    assert run(capsys, "sample", run_dir, "--class", 3, "--n", 4, "--out",
               tmp_path / "threes.png")[0] == 0
    # Its BatchNorm statistics measured on its own samples, classes drawn: said on stderr.
    code, _, err = run(capsys, "sample", run_dir, "--n", 4, "--measure-batchnorm", 2, "--out",
                       tmp_path / "measured.npz", "--seed", 0)
    assert code == 0 and "measured on 2 batches of 16 of its own samples (seed 2000); " \
        f"{len(gains)} BatchNorm layers: means moved" in err  # one in each class BatchNorm
    assert run(capsys, "sample", run_dir, "--n", 4, "--out", tmp_path / "kept.npz",
               "--seed", 0)[0] == 0
    measured, kept = (np.load(tmp_path / f"{name}.npz")["samples"] for name in ("measured",
                                                                                "kept"))
    assert not np.array_equal(measured, kept)


def test_conditioning_on_unlabelled_data_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", "--data.name", "ring-2d",
                       "--model.g-output", "linear", "--model.conditional", "true",
                       "--train.steps", 2)
    assert_one_line_error(err, code, 2, "model.conditional needs class labels")
    assert not (tmp_path / "r").exists()


def test_plot_writes_curves(trained_run, tmp_path, capsys):
    assert run(capsys, "plot", trained_run, "--out", tmp_path / "c.png")[0] == 0
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_dry_run_writes_nothing(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "--dry-run", "--run-dir", tmp_path / "x", *TINY_ARGS)
    assert code == 0 and '"steps": 20' in out
    assert not (tmp_path / "x").exists()


def test_resume_continues_a_run(trained_run, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(trained_run, copy)
    assert run(capsys, "train", "--resume", copy, "--train.steps", 25)[0] == 0
    assert len((copy / "train.jsonl").read_text().splitlines()) == 25


# --- bad input: one line, a non-zero exit code, no traceback, nothing half-written ---

def test_unknown_config_key(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", "--train.stepz", 3)
    assert_one_line_error(err, code, 2, "unknown config key 'train.stepz'", "train.steps")
    assert not (tmp_path / "r").exists()


def test_unknown_key_in_config_file(capsys, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[model]\nwidth = 3\n")
    code, _, err = run(capsys, "train", "--config", path)
    assert_one_line_error(err, code, 2, "model.width")


@pytest.mark.parametrize("flag,value,fragment", [
    ("--train.d-steps-per-g-step", "0", "train.d_steps_per_g_step must be >= 1"),
    ("--train.g-lr", "-1", "train.g_lr must be a finite number > 0"),
    ("--train.d-lr", "nan", "train.d_lr must be a finite number > 0"),
    ("--data.image-size", "0", "data.image_size must be >= 1"),
    ("--train.batch-size", "5000", "larger than the"),
])
def test_invalid_values(capsys, tmp_path, flag, value, fragment):
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS, flag, value)
    assert_one_line_error(err, code, 2, fragment)
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_missing_data_file(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS,
                       "--data.name", "idx", "--data.path", tmp_path / "nothing-here")
    assert_one_line_error(err, code, 1, "nothing-here", "not found")


def test_corrupt_data_file(capsys, tmp_path):
    path = write_idx(tmp_path / "images", np.zeros((20, 8, 8), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-7])
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS,
                       "--data.name", "idx", "--data.path", path)
    assert_one_line_error(err, code, 1, "truncated or corrupt")


def test_empty_image_folder_and_unreadable_image(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS,
                       "--data.name", "folder", "--data.path", empty)
    assert_one_line_error(err, code, 1, "holds no PNG or JPEG images")
    (empty / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated jpeg")
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS,
                       "--data.name", "folder", "--data.path", empty)
    assert_one_line_error(err, code, 1, "broken.jpg")


def test_corrupt_and_truncated_checkpoints(capsys, trained_run, tmp_path):
    truncated = tmp_path / "t.pt"
    data = (trained_run / "checkpoints" / "latest.pt").read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    code, _, err = run(capsys, "sample", truncated, "--out", tmp_path / "x.png")
    assert_one_line_error(err, code, 1, "truncated or corrupt")
    garbage = tmp_path / "g.pt"
    garbage.write_bytes(b"not a checkpoint at all")
    code, _, err = run(capsys, "sample", garbage, "--out", tmp_path / "x.png")
    assert_one_line_error(err, code, 1, "truncated or corrupt")
    assert "weights_only" not in err
    assert not (tmp_path / "x.png").exists()


def test_resume_of_a_corrupt_checkpoint(capsys, trained_run, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(trained_run, copy)
    checkpoint = copy / "checkpoints" / "latest.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    code, _, err = run(capsys, "train", "--resume", copy, "--train.steps", 30)
    assert_one_line_error(err, code, 1, "truncated or corrupt")


def test_existing_run_folder_is_not_overwritten(capsys, trained_run):
    code, _, err = run(capsys, "train", "--run-dir", trained_run, *TINY_ARGS)
    assert_one_line_error(err, code, 2, "already exists", "--resume")


def test_divergence_names_the_step_and_keeps_the_last_good_checkpoint(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS,
                       "--train.g-lr", "100", "--train.d-lr", "100", "--train.steps", "200",
                       "--train.checkpoint-every-steps", "1", "--train.log-every-steps", "1")
    assert_one_line_error(err, code, 1, "diverged at step", "last good checkpoint")
    from ganforge.checkpoint import load_checkpoint

    payload = load_checkpoint(tmp_path / "r")
    assert all(torch.isfinite(v).all() for v in payload["generator"].values())


def test_bad_sample_arguments(capsys, trained_run, tmp_path):
    code, _, err = run(capsys, "sample", trained_run, "--n", 0, "--out", tmp_path / "a.png")
    assert_one_line_error(err, code, 2, "--n: must be >= 1")
    code, _, err = run(capsys, "sample", trained_run, "--out", tmp_path / "a.gif")
    assert_one_line_error(err, code, 2, ".png")
    code, _, err = run(capsys, "sample", tmp_path / "nope", "--out", tmp_path / "a.png")
    assert_one_line_error(err, code, 1, "not found")
    code, _, err = run(capsys, "sample", trained_run, "--measure-batchnorm", 0, "--out",
                       tmp_path / "a.png")
    assert_one_line_error(err, code, 2, "--measure-batchnorm: must be >= 1")
    code, _, err = run(capsys, "sample", trained_run, "--measure-batchnorm", 2, "--out",
                       tmp_path / "a.png")  # its G has no BatchNorm
    assert_one_line_error(err, code, 2, "no BatchNorm layers", "leave out --measure-batchnorm")
    assert not (tmp_path / "a.png").exists()


def test_unknown_command_and_missing_arguments(capsys):
    code, _, err = run(capsys, "fly")
    assert_one_line_error(err, code, 2, "invalid choice")
    code, _, err = run(capsys, "sample")
    assert_one_line_error(err, code, 2, "required")


def test_theory_figure1_writes_the_figure_and_checks(capsys, tmp_path):
    code, out, _ = run(capsys, "theory", "figure1", "--run-dir", tmp_path / "t", "--steps", 40,
                       "--inner-steps", 40, "--frames", 4)  # a short GIF: rendering is slow
    assert code == 0
    assert "max|D-D*|" in out and "minimax-k1" in out
    for name in ("figure1.png", "figure1.gif", "checks.json"):
        assert (tmp_path / "t" / name).stat().st_size > 0
    checks = json.loads((tmp_path / "t" / "checks.json").read_text())
    assert checks["config"]["loss"] == "minimax"


def test_theory_rejects_bad_input_naming_the_flag_the_user_typed(capsys, tmp_path):
    code, _, err = run(capsys, "theory", "figure1", "--means", "1,x")
    assert_one_line_error(err, code, 2, "means must be a list of float")
    code, _, err = run(capsys, "theory", "figure1", "--means", "1,2", "--stds", "0.5")
    assert_one_line_error(err, code, 2, "stds must be as long as means")
    assert "data.toy" not in err
    code, _, err = run(capsys, "theory", "figure1", "--loss", "hinge")
    assert_one_line_error(err, code, 2, "loss must be one of minimax, nonsaturating")
    code, _, err = run(capsys, "theory", "figure1", "--stepz", "3")
    assert_one_line_error(err, code, 2, "unknown config key 'stepz'; did you mean steps?")


def test_help_lists_every_setting_with_its_preset_default(capsys):
    code, out, _ = run(capsys, "train", "--config", "mnist-paper", "--help")
    assert code == 0
    assert "--train.d-steps-per-g-step" in out and "--loss.name" in out
    assert "--model.mlp.g-hidden" in out and "--model.dcgan.g-channels" in out
    assert "nonsaturating" in out  # the preset's value is shown as the default
    code, out, _ = run(capsys, "theory", "--help")
    assert code == 0 and "--means" in out and "--loss" in out


def test_modes_validates_its_counts(capsys):
    code, _, err = run(capsys, "modes", "--seeds", 0)
    assert_one_line_error(err, code, 2, "--seeds: must be >= 1")
    code, _, err = run(capsys, "modes", "--workers", -1)
    assert_one_line_error(err, code, 2, "--workers: must be >= 1")


def test_dry_run_fails_like_step_zero_would(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--dry-run", *TINY_ARGS, "--model.arch", "dcgan",
                       "--model.g-output", "tanh", "--data.image-size", "20")
    assert_one_line_error(err, code, 2, "7 or 8 times a power of two")
    code, _, err = run(capsys, "train", "--dry-run", *TINY_ARGS, "--model.pack", "3")
    assert_one_line_error(err, code, 2, "must be a multiple of model.pack")


def test_modes_benchmark_runs_and_prints_the_table(capsys, tmp_path):
    code, out, _ = run(capsys, "modes", "--config", "modes-plain", "--seeds", 1,
                       "--datasets", "ring-2d", "--workers", 1, "--run-dir", tmp_path / "m",
                       "--train.steps", 30, "--train.batch-size", 64)
    assert code == 0
    assert "ganforge modes-plain (1 seeds)" in out and "VEEGAN" in out
    summary = json.loads((tmp_path / "m" / "summary.json").read_text())
    (entry,) = summary.values()
    assert set(entry) == {"ring-2d"} and entry["ring-2d"]["num_modes"] == 8
    assert list((tmp_path / "m" / "modes-plain" / "ring-2d-seed0" / "samples").glob("*.npz"))


def test_plot_and_resume_survive_a_torn_last_log_line(capsys, tmp_path):
    from ganforge.errors import GanforgeWarning
    from ganforge.training.run_log import read_log

    run_dir = tmp_path / "run"
    assert main(["train", "--run-dir", str(run_dir), *TINY_ARGS]) == 0
    log = run_dir / "train.jsonl"
    with log.open("a", encoding="utf-8") as file:
        file.write('{"step": 21, "d_lo')  # what a kill mid-write leaves
    with pytest.warns(GanforgeWarning, match="skipped 1 unreadable line"):
        code, _, err = run(capsys, "plot", run_dir)
    assert code == 0 and "Traceback" not in err and (run_dir / "curves.png").is_file()
    code, _, err = run(capsys, "train", "--resume", run_dir, "--train.steps", 30)
    assert code == 0, err
    assert [r["step"] for r in read_log(log)] == list(range(1, 31))


# --- operating-system failures: one line with the path and the cause, nothing half-written ---

def test_a_run_dir_or_out_under_a_file_is_one_line(capsys, trained_run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, "train", "--run-dir", blocker / "run", *TINY_ARGS)
    assert_one_line_error(err, code, 1, str(blocker), "not a folder")
    code, _, err = run(capsys, "sample", trained_run, "--out", blocker / "grid.png")
    assert_one_line_error(err, code, 1, "not a folder")
    code, _, err = run(capsys, "plot", trained_run, "--out", blocker / "c.png")
    assert_one_line_error(err, code, 1, "not a folder")


def test_an_output_format_the_writer_does_not_know_is_a_usage_error(capsys, trained_run,
                                                                     tmp_path):
    code, _, err = run(capsys, "plot", trained_run, "--out", tmp_path / "c.xyz")
    assert_one_line_error(err, code, 2, "cannot write .xyz", ".png")
    code, _, err = run(capsys, "sample", trained_run, "--out", tmp_path / "s.gif")
    assert_one_line_error(err, code, 2, "use a .png")


@pytest.mark.parametrize("errno_code,cause", [(28, "disk full"), (30, "read-only")])
def test_a_full_or_read_only_disk_keeps_the_last_checkpoint(capsys, tmp_path, monkeypatch,
                                                            errno_code, cause):
    import errno
    import os

    from ganforge import files
    from ganforge.checkpoint import load_checkpoint

    run_dir = tmp_path / "run"
    real_replace = os.replace
    writes = {"checkpoints": 0}

    def failing_replace(source, target):
        # The second checkpoint's rename meets the OS error; everything before goes through.
        if str(target).endswith("latest.pt"):
            writes["checkpoints"] += 1
            if writes["checkpoints"] == 2:
                raise OSError(errno_code, os.strerror(errno_code), str(target))
        return real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    code, _, err = run(capsys, "train", "--run-dir", run_dir, *TINY_ARGS)
    assert errno.errorcode[errno_code] and code == 1
    assert_one_line_error(err, code, 1, "latest.pt", cause)
    assert load_checkpoint(run_dir)["step"] == 10  # the previous checkpoint, intact
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".tmp")]


# --- messages that tell the truth ---

class _RunsCode:
    """Unpickling this would call os.system: what an attacker puts in a 'checkpoint'."""

    def __reduce__(self):
        import os

        return (os.system, ("echo this should never run",))


def test_a_pickled_payload_is_named_untrusted_and_the_safeguard_is_never_questioned(
        capsys, tmp_path):
    path = tmp_path / "evil.pt"
    # weights_only loading refuses the global: ganforge must not suggest turning that off.
    torch.save({"format_version": 1, "payload": _RunsCode()}, path)
    code, _, err = run(capsys, "sample", path, "--out", tmp_path / "s.png")
    assert_one_line_error(err, code, 1, "contains code or objects", "untrusted pickle")
    assert "weights_only" not in err and "truncated or corrupt" not in err


def test_an_architecture_mismatch_names_the_tensors_and_both_shapes(capsys, trained_run):
    code, _, err = run(capsys, "train", "--resume", trained_run, "--train.steps", 40,
                       "--model.mlp.g-hidden", 48)
    assert_one_line_error(err, code, 1, "does not fit",
                          "generator.hidden.0.weight: checkpoint [32, 100], config [48, 100]")


def test_resume_to_a_step_already_reached_says_so_and_changes_nothing(capsys, trained_run):
    before = (trained_run / "config.json").read_text()
    code, _, err = run(capsys, "train", "--resume", trained_run, "--train.steps", 20)
    assert_one_line_error(err, code, 2, "already at step 20", "--train.steps N with N > 20")
    assert (trained_run / "config.json").read_text() == before


@pytest.mark.parametrize("argv,fragment", [
    (["sample", "RUN", "--out", "x.png", "--seed", "-1"], "--seed: must be in [0, 2^63)"),
    (["sample", "RUN", "--out", "x.png", "--n", "0"], "--n: must be >= 1"),
    (["evaluate", "RUN", "--n-samples", "abc"], "--n-samples: must be an integer"),
    (["train", "--seed", "-3"], "seed must be in [0, 2^63)"),
    (["train", "--train.steps", str(2**70)], "train.steps is out of range"),
    (["theory", "figure1", "--ks", "0"], "--ks: must be >= 1"),
])
def test_every_argument_is_validated_where_it_enters(capsys, argv, fragment):
    code, _, err = run(capsys, *argv)
    assert_one_line_error(err, code, 2, fragment)


def test_ctrl_c_during_start_up_is_one_line_and_exit_130(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "ganforge", "train", "--dry-run",
                                *TINY_ARGS], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(1.0)  # past interpreter start-up, inside the heavy imports (seconds of them)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["ganforge: interrupted"]


def test_a_really_full_disk_keeps_the_last_checkpoint(capsys, tmp_path):
    # A small tmpfs that holds a run up to its first checkpoint and not much more. Needs root
    # and mount(2); the injected-error test above covers machines where it cannot run.
    import shutil
    import subprocess

    from ganforge.checkpoint import load_checkpoint

    probe = tmp_path / "probe"
    assert main(["train", "--run-dir", str(probe), *TINY_ARGS, "--train.steps", "10"]) == 0
    used = sum(p.stat().st_size for p in probe.rglob("*") if p.is_file())
    checkpoint = (probe / "checkpoints" / "latest.pt").stat().st_size
    size_kb = (used + checkpoint // 2) // 1024 + 16  # + room for a few pages of slack
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs",
                              str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        capsys.readouterr()
        code, _, err = run(capsys, "train", "--run-dir", disk / "run", *TINY_ARGS,
                           "--train.steps", "200")
        assert_one_line_error(err, code, 1, "disk full")
        assert load_checkpoint(disk / "run")["step"] >= 10  # the last one written, intact
        assert not [p for p in disk.rglob("*") if p.name.endswith(".tmp")]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
        shutil.rmtree(disk, ignore_errors=True)


def test_class_grid_keeps_many_clusters_about_square():
    from ganforge.cli import _class_grid_columns

    assert _class_grid_columns(20, 10) == 2  # ten labels: one row of two per class
    assert _class_grid_columns(10, 10) is None  # one image each: a plain square grid
    assert _class_grid_columns(100, 100) is None
    # 100 clusters, three images each: six clusters' blocks per row, 18 columns by 17 rows.
    assert _class_grid_columns(300, 100) == 18
