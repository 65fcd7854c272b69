import dataclasses
import json
import math

import pytest

from ganforge.config import (
    LEGACY_KEYS,
    ModelConfig,
    RunConfig,
    apply_overrides,
    config_from_dict,
    config_to_dict,
    load_config,
    parse_override_args,
    preset_names,
    setting_keys,
    validate,
)
from ganforge.errors import ConfigError
from ganforge.models import ARCHITECTURES
from ganforge.objectives import OBJECTIVES
from ganforge.settings import setting_types


def test_every_shipped_preset_loads_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # presets ship inside the package, not in a checkout folder
    assert {"mnist-paper", "mnist-fast", "modes-2d"} <= set(preset_names())
    for name in preset_names():
        assert load_config(name) == load_config(f"{name}.toml")


def test_paper_preset_matches_the_paper_networks():
    config = load_config("mnist-paper")
    mlp = config.model.mlp
    assert mlp.g_hidden == (1200, 1200) and config.model.noise_dim == 100
    assert mlp.d_hidden == (240, 240) and mlp.d_pieces == 5
    assert mlp.d_dropout_input == 0.2 and mlp.d_dropout_hidden == 0.5
    assert config.train.g_lr == 0.1 and config.train.lr_decay == 1.000004
    assert (config.train.momentum_start, config.train.momentum_end) == (0.5, 0.7)
    assert config.train.autocast_bf16 is False  # the paper's numerics: fp32 on every machine
    assert config.loss.name == "nonsaturating"


@pytest.mark.parametrize("plain_name", ["mnist-dcgan", "fashion-dcgan"])
def test_self_conditioned_dcgan_preset_is_its_dcgan_preset_plus_conditioning_at_adam_4e_4(
        plain_name):
    # Its measured lead over the plain preset holds only while the rest of the two agree.
    plain, selfcond = load_config(plain_name), load_config(f"{plain_name}-selfcond")
    assert (selfcond.model.conditional, selfcond.model.clusters) == (True, 100)
    assert selfcond.model.g_conditioning == "batchnorm"
    unconditioned = dataclasses.replace(selfcond.model, conditional=False, clusters=0,
                                        g_conditioning="input")
    assert unconditioned == plain.model
    # Adam's rate is the one other difference allowed: both *-dcgan-selfcond presets train at
    # 4e-4, while fashion-dcgan keeps 2e-4 (BENCHMARKS.md, "Adam at 4e-4 on Fashion-MNIST").
    assert (selfcond.train.g_lr, selfcond.train.d_lr) == (4e-4, 4e-4)
    same_rate = dataclasses.replace(selfcond.train, g_lr=plain.train.g_lr, d_lr=plain.train.d_lr)
    assert (same_rate, selfcond.loss, selfcond.data) == (plain.train, plain.loss, plain.data)


def test_model_has_a_section_per_registered_architecture():
    model = ModelConfig()
    for name, architecture in ARCHITECTURES.items():
        assert getattr(model, name) == architecture.config()
    assert model.section() is model.mlp
    keys = setting_keys()
    assert "model.mlp.g_hidden" in keys and "model.dcgan.g_channels" in keys
    assert "model.g_hidden" not in keys


def test_choices_come_from_the_registries():
    for name in OBJECTIVES:
        assert apply_overrides(RunConfig(), {"loss.name": name}).loss.name == name
    with pytest.raises(ConfigError, match="loss.name must be one of " + ", ".join(OBJECTIVES)):
        apply_overrides(RunConfig(), {"loss.name": "cross-entropy"})
    with pytest.raises(ConfigError, match="model.arch must be one of " + ", ".join(ARCHITECTURES)):
        apply_overrides(RunConfig(), {"model.arch": "transformer"})


def test_toml_values_win_over_defaults_and_overrides_win_over_toml(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[train]\nsteps = 7\nbatch_size = 8\n[data]\nname = "digits"\n')
    config = load_config(path)
    assert (config.train.steps, config.train.batch_size, config.data.name) == (7, 8, "digits")
    config = parse_override_args(config, ["--train.steps", "30", "--data.name=fashion-mnist"])
    assert (config.train.steps, config.train.batch_size) == (30, 8)
    assert config.data.name == "fashion-mnist"


def test_json_round_trip_is_lossless():
    config = apply_overrides(RunConfig(), {"model.mlp.g_hidden": "64,32",
                                           "train.time_limit_s": "5", "loss.name": "hinge"})
    text = json.dumps(config_to_dict(config))
    assert config_from_dict(json.loads(text)) == config


def test_overrides_parse_types_lists_booleans_and_none():
    config = parse_override_args(RunConfig(), [
        "--model.mlp.g-hidden", "[10, 20]", "--train.progress", "false",
        "--model.mlp.g_init_range", "none", "--train.d-steps-per-g-step", "3", "--seed", "9",
        "--device", "cpu", "--model.mlp.d-hidden", "7", "8"])
    assert config.model.mlp.g_hidden == (10, 20)
    assert config.model.mlp.d_hidden == (7, 8)
    assert config.train.progress is False
    assert config.model.mlp.g_init_range is None
    assert config.train.d_steps_per_g_step == 3
    assert (config.seed, config.device) == (9, "cpu")


def test_autocast_setting_takes_a_boolean_or_auto(tmp_path):
    parsed = {value: apply_overrides(RunConfig(), {"train.autocast_bf16": value}).train
              for value in ("true", "False", "auto")}
    assert [t.autocast_bf16 for t in parsed.values()] == [True, False, "auto"]
    path = tmp_path / "c.toml"
    path.write_text('[train]\nautocast_bf16 = "auto"\n')
    assert load_config(path).train.autocast_bf16 == "auto"
    assert config_from_dict(config_to_dict(load_config(path))) == load_config(path)
    with pytest.raises(ConfigError, match="train.autocast_bf16"):
        apply_overrides(RunConfig(), {"train.autocast_bf16": "sometimes"})


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
        parse_override_args(RunConfig(), ["--model.widht", "3"])


@pytest.mark.parametrize("flag,hint", [
    ("--train.stepz", "did you mean train.steps?"),
    ("--trainer", "did you mean the section train?"),
    ("--train.g-objective", "it is now loss.name"),
    ("--model.g-hidden", "it is now model.mlp.g_hidden"),
])
def test_unknown_keys_get_a_close_suggestion_or_their_new_home(flag, hint):
    with pytest.raises(ConfigError) as error:
        parse_override_args(RunConfig(), [flag, "3"])
    assert str(error.value).endswith(hint) and "\n" not in str(error.value)


def test_configs_written_before_the_loss_and_model_sections_still_load():
    old = {"model": {"arch": "mlp", "g_hidden": [64], "d_dropout_input": 0.1,
                     "g_channels": 8},
           "train": {"g_objective": "nonsaturating", "r1_gamma": 2.0, "steps": 5}}
    config = config_from_dict(old)
    assert config.model.mlp.g_hidden == (64,) and config.model.mlp.d_dropout_input == 0.1
    assert config.model.dcgan.g_channels == 8 and config.model.dcgan.d_dropout_input == 0.1
    assert (config.loss.name, config.loss.r1_gamma, config.train.steps) == \
        ("nonsaturating", 2.0, 5)
    assert all(new in setting_keys() for new in LEGACY_KEYS.values())


def test_json_config_must_be_an_object(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="top level must be a table"):
        load_config(path)


def test_a_value_where_a_section_belongs_is_an_error(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("train = 3\n")
    with pytest.raises(ConfigError, match="train must be a section"):
        load_config(path)


def test_validate_checks_across_sections_and_against_the_data():
    packed = apply_overrides(RunConfig(), {"model.pack": 3, "train.batch_size": 100})
    with pytest.raises(ConfigError, match=r"batch_size \(100\) must be a multiple of model.pack"):
        validate(packed)
    dcgan = apply_overrides(RunConfig(), {"model.arch": "dcgan", "model.g_output": "tanh"})
    validate(dcgan, (1, 28, 28), True)
    with pytest.raises(ConfigError, match="7 or 8 times a power of two"):
        validate(dcgan, (1, 20, 20), True)
    linear = apply_overrides(RunConfig(), {"model.g_output": "linear"})
    with pytest.raises(ConfigError, match="images need sigmoid or tanh"):
        validate(linear, (1, 8, 8), True)
    validate(linear, (2,), False)
    late = apply_overrides(RunConfig(), {"model.pack": 4, "train.batch_size": 100,
                                         "train.late_batch_size": 150,
                                         "train.late_batch_step": 10})
    with pytest.raises(ConfigError, match=r"late_batch_size \(150\) must be a multiple"):
        validate(late)
    grouped = apply_overrides(dcgan, {"model.dcgan.d_minibatch_std": 4, "train.batch_size": 62})
    with pytest.raises(ConfigError, match=r"batch_size \(62\) must be a multiple of "
                                          r"model.dcgan.d_minibatch_std \(4\), so that no group"):
        validate(grouped)
    packed_groups = apply_overrides(grouped, {"train.batch_size": 64, "model.pack": 2,
                                              "train.late_batch_size": 100,
                                              "train.late_batch_step": 10})
    with pytest.raises(ConfigError, match=r"late_batch_size \(100\) .* times model.pack \(2\)"):
        validate(packed_groups)
    clusters = apply_overrides(RunConfig(), {"model.clusters": 10})
    with pytest.raises(ConfigError, match="model.clusters .* needs --model.conditional true"):
        validate(clusters)
    # Clusters stand in for labels: a self-conditioned model needs none from the data.
    validate(apply_overrides(clusters, {"model.conditional": True}), (1, 8, 8), True, None)


@pytest.mark.parametrize("key,value,message", [
    ("train.d_steps_per_g_step", "0", "train.d_steps_per_g_step must be >= 1"),
    ("train.g_lr", "-0.1", "train.g_lr must be a finite number > 0"),
    ("train.d_lr", "nan", "train.d_lr must be a finite number > 0"),
    ("data.image_size", "0", "data.image_size must be >= 1"),
    ("train.batch_size", "0", "train.batch_size must be >= 1"),
    ("train.late_batch_size", "0", "train.late_batch_size must be >= 1"),
    ("model.mlp.d_dropout_input", "1.5", "model.mlp.d_dropout_input must be in"),
    ("loss.r1_every", "0", "loss.r1_every must be >= 1"),
    ("train.g_top_k_decay", "0", r"train.g_top_k_decay must be in \(0, 1\]"),
    ("train.g_top_k_min", "1.5", r"train.g_top_k_min must be in \(0, 1\]"),
    ("train.mode_seeking_weight", "-1", "train.mode_seeking_weight must be >= 0"),
    ("train.mode_seeking_weight", "inf", "train.mode_seeking_weight must be >= 0"),
    ("model.clusters", "1", "model.clusters must be 0 or >= 2"),
    ("model.dcgan.d_minibatch_std", "1", "d_minibatch_std is a group size: 0 for none, else >= 2"),
    ("seed", "-1", "seed must be in"),
    ("train.optimizer", "rmsprop", "train.optimizer must be"),
    ("train.steps", "abc", "train.steps must be int"),
])
def test_invalid_values_are_rejected_with_the_key(key, value, message):
    with pytest.raises(ConfigError, match=message):
        apply_overrides(RunConfig(), {key: value})


def test_the_late_batch_size_takes_over_at_its_step_and_needs_one():
    train = apply_overrides(RunConfig(), {"train.batch_size": 64, "train.late_batch_size": 128,
                                          "train.late_batch_step": 1000}).train
    assert [train.batch_size_at(step) for step in (0, 999, 1000, 5000)] == [64, 64, 128, 128]
    assert train.largest_batch_size() == 128
    assert RunConfig().train.batch_size_at(10**6) == RunConfig().train.largest_batch_size() == 100
    with pytest.raises(ConfigError, match="train.late_batch_step must be >= 1 when"):
        apply_overrides(RunConfig(), {"train.late_batch_size": 128})


@pytest.mark.parametrize("batches", [{"train.batch_size": 1},
                                     {"train.late_batch_size": 1, "train.late_batch_step": 5}])
def test_mode_seeking_needs_two_fakes_in_every_batch_to_pair(batches):
    with pytest.raises(ConfigError, match=r"late_batch_size\) must be >= 2 with mode seeking"):
        apply_overrides(RunConfig(), {"train.mode_seeking_weight": 1.0, **batches})
    apply_overrides(RunConfig(), {"train.mode_seeking_weight": 0.0, **batches})  # off: any size


def test_nan_is_parsed_then_rejected_not_silently_kept():
    assert math.isnan(float("nan"))
    with pytest.raises(ConfigError):
        apply_overrides(RunConfig(), {"train.g_lr": "NaN"})


def test_every_setting_is_documented_in_the_help():
    from ganforge.settings import settings_help

    text = settings_help(RunConfig, RunConfig(), "ganforge train")
    for key in setting_types(RunConfig):
        flag = "--" + key.replace("_", "-")
        assert flag in text, f"{flag} missing from --help"
    # The field docstrings are the help texts: spot-check one and its default.
    assert "discriminator updates per generator update" in text
    # Each description is one paragraph wrapped at 80 columns, not the docstring's own lines
    # wrapped again (which left a short line after each long one).
    start = text.index("--train.g-top-k-decay")
    description = text[start:text.index("  --train.g-top-k-min")].splitlines()[1:]
    assert all(line.startswith(" " * 8) and len(line) <= 80 for line in description)
    assert all(len(line) > 60 for line in description[:-1])
    assert "Top-k G updates (Sinha et al. 2020)" in description[0]
    assert description[-1].endswith("(default: 1.0)")


def test_reflowing_joins_a_descriptions_lines_and_leaves_everything_else():
    from ganforge.settings import reflow_descriptions

    text = ("  --train.x INT\n        First line of the\n        text, then the rest.\n"
            "  --train.y INT\n        Short. (default: 2)\n\n usage line   \n")
    assert reflow_descriptions(text, width=36) == (
        "  --train.x INT\n        First line of the text, then\n        the rest.\n"
        "  --train.y INT\n        Short. (default: 2)\n\n usage line\n")


def test_missing_and_unparsable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[train\nsteps = ")
    with pytest.raises(ConfigError, match="cannot be parsed"):
        load_config(bad)


def test_train_augment_parses_from_a_list_and_refuses_non_image_data():
    config = apply_overrides(RunConfig(), {"train.augment": "translation,cutout"})
    assert config.train.augment == ("translation", "cutout")
    with pytest.raises(ConfigError, match="train.augment"):
        apply_overrides(RunConfig(), {"train.augment": "flip"})
    with pytest.raises(ConfigError, match="train.augment transforms images"):
        validate(config, sample_shape=(1,))
    for bad in ("0", "1.5"):
        with pytest.raises(ConfigError, match="train.augment_p must be in"):
            apply_overrides(RunConfig(), {"train.augment_p": bad})


@pytest.mark.parametrize("overrides,message", [
    ({}, "needs clusters to start from"),
    ({"model.clusters": "4", "model.conditioning": "concat"}, "needs --model.conditioning"),
    ({"model.clusters": "4", "model.pack": "2"}, "--model.pack 1"),
    ({"model.clusters": "4", "train.log_every_steps": "30"}, "multiple of train.log_every"),
])
def test_reclustering_needs_clusters_and_a_projection_d_of_single_images(overrides, message):
    config = apply_overrides(RunConfig(), {"model.conditional": "true",
                                           "model.recluster_every_steps": "100", **overrides})
    with pytest.raises(ConfigError, match=message):
        validate(config, sample_shape=(1, 8, 8), num_classes=10)
    with pytest.raises(ConfigError, match="model.recluster_every_steps must be >= 0"):
        apply_overrides(RunConfig(), {"model.recluster_every_steps": "-1"})
