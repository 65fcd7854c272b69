"""benchmarks/variants.py: reading a variant's overrides and writing its table."""

import json
from pathlib import Path

import pytest
from benchmarks.variants import markdown, parse_variant, step_budget, training_minutes

from ganforge.metrics import keys


def test_a_variant_is_a_name_and_dotted_overrides() -> None:
    assert parse_variant(["preset"]) == ("preset", {})
    assert parse_variant(["ttur", "train.g_lr=1e-4", "train.d_lr=4e-4"]) == \
        ("ttur", {"train.g_lr": "1e-4", "train.d_lr": "4e-4"})


@pytest.mark.parametrize("setting", ["loss.name", "=hinge", "loss.name="])
def test_a_setting_without_key_and_value_is_refused_by_name(setting: str) -> None:
    with pytest.raises(SystemExit, match=f"variant bad: '{setting}' is not key=value"):
        parse_variant(["bad", setting])


def test_the_table_names_each_variant_its_overrides_and_the_floor() -> None:
    values = {keys.FRECHET_DISTANCE: 7.634, keys.KID: 0.1394, keys.PRECISION: 0.7071,
              keys.RECALL: 0.871, keys.DENSITY: 0.34, keys.COVERAGE: 0.298,
              keys.CLASSES_COVERED: 10.0, keys.CLASS_COVERAGE_KL: 0.02412}
    floor = {**values, keys.FRECHET_DISTANCE: 0.05}
    rows = {"preset": {"steps": 16470, "values": values, "floor": floor, "overrides": {}},
            "hinge": {"steps": 16460, "values": {**values, keys.FRECHET_DISTANCE: 7.913},
                      "floor": floor, "overrides": {"loss.name": "hinge"}}}
    lines = markdown(rows).splitlines()
    assert lines[2].startswith("| preset | (the preset) | 16,470 | 7.63 | 139.40 | 0.707 |")
    assert lines[3].startswith("| hinge | `loss.name=hinge` | 16,460 | 7.91 |")
    assert lines[4].startswith("| real floor | | | 0.05 |")
    assert len(lines) == 5


def test_a_step_budget_sets_the_step_count_and_none_leaves_the_time_limit_alone() -> None:
    assert step_budget(20000) == {"train.steps": "20000"}
    assert step_budget(None) == {}


def test_training_minutes_are_the_last_logged_steps_elapsed_time(tmp_path: Path) -> None:
    records = [{"step": 10, "elapsed_s": 1.5}, {"step": 20, "elapsed_s": 471.0}]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert training_minutes(tmp_path) == pytest.approx(7.85)


def test_a_step_budget_row_shows_its_training_minutes_beside_the_steps() -> None:
    values = {keys.FRECHET_DISTANCE: 0.62, keys.KID: 0.0117, keys.PRECISION: 0.886,
              keys.RECALL: 0.872, keys.DENSITY: 0.837, keys.COVERAGE: 0.868,
              keys.CLASSES_COVERED: 10.0, keys.CLASS_COVERAGE_KL: 0.0027}
    rows = {"ema": {"steps": 16000, "train_minutes": 7.86, "values": values, "floor": values,
                    "overrides": {"train.ema_decay": "0.9995"}}}
    assert markdown(rows).splitlines()[2].startswith(
        "| ema | `train.ema_decay=0.9995` | 16,000 (7.9 min) | 0.62 |")


def test_a_row_scored_on_several_draws_shows_each_value_with_its_standard_error() -> None:
    values = {keys.FRECHET_DISTANCE: 0.2873, keys.KID: 0.00567, keys.PRECISION: 0.908,
              keys.RECALL: 0.903, keys.DENSITY: 0.911, keys.COVERAGE: 0.917,
              keys.CLASSES_COVERED: 10.0, keys.CLASS_COVERAGE_KL: 0.0022}
    errors = {**{key: 0.0 for key in values}, keys.FRECHET_DISTANCE: 0.0063,
              keys.KID: 0.00021}
    rows = {"preset": {"steps": 53460, "values": values, "floor": values, "overrides": {},
                       "draws": 5, "standard_error": errors}}
    assert markdown(rows).splitlines()[2].startswith(
        "| preset | (the preset) | 53,460 | 0.29 +- 0.01 | 5.67 +- 0.21 | 0.908 +- 0.000 |")
