import pytest
import torch

from ganforge import train
from ganforge.checkpoint import (
    checkpoint_path,
    kept_checkpoint_path,
    kept_checkpoints,
    load_checkpoint,
    load_network_weights,
    run_dir_of,
    save_checkpoint,
)
from ganforge.config import apply_overrides
from ganforge.errors import CheckpointError, ConfigError


def _weights(run_dir):
    payload = load_checkpoint(run_dir)
    return payload["step"], {**payload["generator"], **{f"D.{k}": v for k, v in
                                                        payload["discriminator"].items()}}


# The last case: D's augmentations draw from the global generator, which the checkpoint keeps.
@pytest.mark.parametrize("optimizer,late_batch,augment", [
    ("sgd", None, ""), ("adam", None, ""), ("adam", "32", ""),
    ("adam", None, "translation,cutout,brightness,contrast")])
def test_a_resumed_run_ends_with_exactly_the_weights_of_an_unbroken_run(tmp_path, tiny_config,
                                                                         optimizer, late_batch,
                                                                         augment):
    config = apply_overrides(tiny_config, {"train.optimizer": optimizer,
                                           "train.ema_decay": "0.9"})
    if augment:
        config = apply_overrides(config, {"train.augment": augment})
    if late_batch is not None:  # the batch grows at step 9, after the break at 6
        config = apply_overrides(config, {"train.late_batch_size": late_batch,
                                          "train.late_batch_step": "9"})
    train(apply_overrides(config, {"train.steps": "14"}), tmp_path / "whole")
    train(apply_overrides(config, {"train.steps": "6"}), tmp_path / "broken")
    result = train(apply_overrides(config, {"train.steps": "14"}), tmp_path / "broken",
                   resume=True)
    assert result.step == 14
    step_a, whole = _weights(tmp_path / "whole")
    step_b, resumed = _weights(tmp_path / "broken")
    assert step_a == step_b == 14
    assert whole.keys() == resumed.keys()
    for key in whole:
        assert torch.equal(whole[key], resumed[key]), key
    ema_a = load_checkpoint(tmp_path / "whole")["ema"]
    ema_b = load_checkpoint(tmp_path / "broken")["ema"]
    assert all(torch.equal(ema_a[k], ema_b[k]) for k in ema_a)
    # The log holds each step once, in order.
    steps = [line for line in (tmp_path / "broken" / "train.jsonl").read_text().splitlines()]
    assert len(steps) == 14


def test_a_run_keeps_the_checkpoint_of_every_nth_step_with_that_steps_weights(tmp_path,
                                                                           tiny_config):
    # 20 steps, latest.pt every 10: steps 7 and 14 are kept although latest.pt skips them.
    config = apply_overrides(tiny_config, {"train.ema_decay": "0.9",
                                           "train.keep_checkpoint_every_steps": "7"})
    train(config, tmp_path / "long")
    kept = kept_checkpoints(tmp_path / "long")
    assert [step for step, _ in kept] == [7, 14]
    assert [file for _, file in kept] == [kept_checkpoint_path(tmp_path / "long", step)
                                          for step in (7, 14)]
    assert load_checkpoint(tmp_path / "long")["step"] == 20
    assert run_dir_of(kept[1][1]) == tmp_path / "long"  # commands find the run folder from it
    # Step 14's copy holds the weights that a run stopping at 14, keeping nothing, ends with.
    train(apply_overrides(config, {"train.steps": "14",
                                   "train.keep_checkpoint_every_steps": "0"}), tmp_path / "short")
    copy, short = load_checkpoint(kept[1][1]), load_checkpoint(tmp_path / "short")
    assert copy["step"] == short["step"] == 14
    for part in ("generator", "discriminator", "ema"):
        assert copy[part].keys() == short[part].keys()
        assert all(torch.equal(copy[part][key], short[part][key]) for key in copy[part]), part
    # Without the setting, a run keeps latest.pt alone.
    assert sorted(path.name for path in (tmp_path / "short" / "checkpoints").iterdir()) == \
        [checkpoint_path(tmp_path).name]


def test_kept_checkpoints_lists_only_step_files_and_none_for_a_run_without_them(tmp_path):
    assert kept_checkpoints(tmp_path) == []
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for name in ("step-0000020.pt", "step-0000100.pt", "step-best.pt", "latest.pt"):
        (folder / name).write_bytes(b"")
    assert kept_checkpoints(tmp_path) == [(20, folder / "step-0000020.pt"),
                                          (100, folder / "step-0000100.pt")]


def test_a_negative_keep_interval_is_refused(tiny_config):
    with pytest.raises(ConfigError, match="keep_checkpoint_every_steps"):
        apply_overrides(tiny_config, {"train.keep_checkpoint_every_steps": "-1"})


def test_checkpoint_holds_what_a_resume_needs(tmp_path, tiny_config):
    train(tiny_config, tmp_path / "run")
    payload = load_checkpoint(tmp_path / "run")
    for key in ("generator", "discriminator", "opt_g", "opt_d", "step", "d_updates",
                "rng_per_rank", "noise_generator", "batches", "config", "format_version"):
        assert key in payload
    assert payload["config"]["train"]["steps"] == 20
    assert not list((tmp_path / "run" / "checkpoints").glob("*.tmp"))


def test_truncated_checkpoint_is_a_checkpoint_error(tmp_path, tiny_config):
    train(tiny_config, tmp_path / "run")
    path = checkpoint_path(tmp_path / "run")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(path)


def test_foreign_file_and_missing_file(tmp_path):
    foreign = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(CheckpointError, match="not a ganforge checkpoint"):
        load_checkpoint(foreign)
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")
    with pytest.raises(CheckpointError, match="holds no checkpoint"):
        load_checkpoint(tmp_path)


def test_a_failed_save_leaves_the_previous_checkpoint_intact(tmp_path):
    path = tmp_path / "ckpt.pt"
    save_checkpoint({"x": torch.ones(3)}, path)

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        save_checkpoint({"x": Unpicklable()}, path)
    assert torch.equal(torch.load(path, weights_only=True)["x"], torch.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]


def test_weights_that_do_not_fit_the_network_name_the_tensor_and_shapes():
    network = torch.nn.Linear(3, 2)
    wrong = {"weight": torch.zeros(4, 3), "bias": torch.zeros(2)}
    with pytest.raises(CheckpointError, match=r"discriminator.weight: checkpoint \[4, 3\], "
                                              r"config \[2, 3\]"):
        load_network_weights(network, "discriminator", wrong)
    right = {"weight": torch.ones(2, 3), "bias": torch.zeros(2)}
    load_network_weights(network, "discriminator", right)
    assert torch.equal(network.weight, torch.ones(2, 3))
