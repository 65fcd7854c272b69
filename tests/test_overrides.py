"""benchmarks/overrides.py: the key=value settings variants.py and throughput.py take."""

import pytest
from benchmarks.overrides import parse_overrides


def test_settings_are_read_and_a_word_without_key_and_value_is_refused() -> None:
    assert parse_overrides(["train.autocast_bf16=true"], "--set") == \
        {"train.autocast_bf16": "true"}
    with pytest.raises(SystemExit, match="--set: 'train.autocast_bf16' is not key=value"):
        parse_overrides(["train.autocast_bf16"], "--set")
