"""benchmarks/variant_speed.py: every variant is the preset plus its settings, checked before any
run trains; names that would hide the preset or each other are refused."""

import pytest
from benchmarks.variant_speed import PRESET, configs, main

from ganforge.errors import ConfigError


def test_each_variant_is_the_preset_with_its_settings_and_the_preset_comes_first():
    runs = configs("mnist-dcgan", "digits", 40, [("d16", {"model.dcgan.d_channels": "16"})])
    assert list(runs) == [PRESET, "d16"]
    preset, narrow = runs[PRESET], runs["d16"]
    assert (preset.model.dcgan.d_channels, narrow.model.dcgan.d_channels) == (32, 16)
    assert preset.data.name == narrow.data.name == "digits"
    assert preset.train.steps == narrow.train.steps == 40
    assert preset.model.dcgan.g_channels == narrow.model.dcgan.g_channels


def test_a_bad_setting_fails_before_anything_trains():
    with pytest.raises(ConfigError, match="unknown config key 'model.nope'"):
        configs("mnist-dcgan", "digits", 40, [("ok", {}), ("bad", {"model.nope": "1"})])


@pytest.mark.parametrize("names", [["preset"], ["a", "a"]])
def test_names_that_hide_the_preset_or_each_other_are_refused(monkeypatch, capsys, names):
    argv = ["variant_speed.py", "--preset", "mnist-dcgan"]
    for name in names:
        argv += ["--variant", name]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert "variant names must differ" in capsys.readouterr().err
