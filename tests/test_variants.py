"""benchmarks/variants.py: reading a variant's overrides and writing its table."""

import pytest
from benchmarks.variants import markdown, parse_variant

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

