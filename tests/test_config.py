import dataclasses
import json
import math
from pathlib import Path

import pytest

from ganforge.config import (
    RunConfig,
    apply_overrides,
    config_from_dict,
    config_to_dict,
    describe_settings,
    load_config,
    parse_override_args,
)
from ganforge.errors import ConfigError

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def test_every_shipped_preset_loads():
    presets = sorted(CONFIGS.glob("*.toml"))
    assert presets, "configs/ holds no presets"
    for preset in presets:
        load_config(preset)


def test_paper_preset_matches_the_paper_networks():
    config = load_config(CONFIGS / "mnist-paper.toml")
    assert config.model.g_hidden == (1200, 1200) and config.model.noise_dim == 100
    assert config.model.d_hidden == (240, 240) and config.model.d_pieces == 5
    assert config.model.d_dropout_input == 0.2 and config.model.d_dropout_hidden == 0.5
    assert config.train.g_lr == 0.1 and config.train.lr_decay == 1.000004
    assert (config.train.momentum_start, config.train.momentum_end) == (0.5, 0.7)


def test_toml_values_win_over_defaults_and_overrides_win_over_toml(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[train]\nsteps = 7\nbatch_size = 8\n[data]\nname = "digits"\n')
    config = load_config(path)
    assert (config.train.steps, config.train.batch_size, config.data.name) == (7, 8, "digits")
    config = apply_overrides(config, parse_override_args(["--train.steps", "30",
                                                          "--data.name=fashion-mnist"]))
    assert (config.train.steps, config.train.batch_size) == (30, 8)
    assert config.data.name == "fashion-mnist"


def test_json_round_trip_is_lossless():
    config = apply_overrides(RunConfig(), {"model.g_hidden": "64,32", "train.time_limit_s": "5"})
    text = json.dumps(config_to_dict(config))
    assert config_from_dict(json.loads(text)) == config


def test_overrides_parse_types_lists_booleans_and_none():
    config = apply_overrides(RunConfig(), parse_override_args([
        "--model.g-hidden", "[10, 20]", "--train.progress", "false", "--model.g-init-range",
        "none", "--train.d-steps-per-g-step", "3", "--seed", "9", "--device", "cpu"]))
    assert config.model.g_hidden == (10, 20)
    assert config.train.progress is False
    assert config.model.g_init_range is None
    assert config.train.d_steps_per_g_step == 3
    assert (config.seed, config.device) == (9, "cpu")


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RunConfig().train.steps = 3  # type: ignore[misc]


def test_unknown_key_in_file_is_an_error_with_a_suggestion(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[train]\nstepz = 7\n")
    with pytest.raises(ConfigError, match=r"unknown config key 'train.stepz'.*train.steps"):
        load_config(path)


def test_unknown_override_is_an_error():
    with pytest.raises(ConfigError, match="unknown config key 'model.widht'"):
        parse_override_args(["--model.widht", "3"])


@pytest.mark.parametrize("key,value,message", [
    ("train.d_steps_per_g_step", "0", "train.d_steps_per_g_step must be >= 1"),
    ("train.g_lr", "-0.1", "train.g_lr must be a finite number > 0"),
    ("train.d_lr", "nan", "train.d_lr must be a finite number > 0"),
    ("data.image_size", "0", "data.image_size must be >= 1"),
    ("train.batch_size", "0", "train.batch_size must be >= 1"),
    ("model.d_dropout_input", "1.5", "model.d_dropout_input must be in"),
    ("train.optimizer", "rmsprop", "train.optimizer must be"),
    ("train.steps", "abc", "train.steps must be int"),
])
def test_invalid_values_are_rejected_with_the_key(key, value, message):
    with pytest.raises(ConfigError, match=message):
        apply_overrides(RunConfig(), {key: value})


def test_nan_is_parsed_then_rejected_not_silently_kept():
    assert math.isnan(float("nan"))
    with pytest.raises(ConfigError):
        apply_overrides(RunConfig(), {"train.g_lr": "NaN"})


def test_every_setting_is_documented():
    rows = describe_settings()
    undocumented = [key for key, _, _, help_text in rows if not help_text]
    assert not undocumented
    assert ("train.d_steps_per_g_step", "int", 1) == rows[[r[0] for r in rows].index(
        "train.d_steps_per_g_step")][:3]


def test_missing_and_unparsable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[train\nsteps = ")
    with pytest.raises(ConfigError, match="cannot be parsed"):
        load_config(bad)
