import re

import numpy as np
from PIL import Image

from ganforge.report import sections


def _grids(folder, count, size=40):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for step in range(1, count + 1):
        pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)  # incompressible colour
        Image.fromarray(pixels).save(folder / f"step_{step * 100:07d}.png")
    return folder


def _steps(section):
    return [int(s) for s in re.findall(r'data-step="(\d+)"', section.body)]


def test_the_slider_spreads_at_most_max_grids_over_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(sections, "MAX_GRIDS", 5)
    steps = _steps(sections.progress_section(_grids(tmp_path / "samples", 23)))
    assert len(steps) == 5 and steps[0] == 100 and steps[-1] == 2300
    assert steps == sorted(steps)


def test_the_slider_keeps_the_page_within_its_byte_budget(tmp_path, monkeypatch):
    folder = _grids(tmp_path / "samples", 30)
    one = len(sections._compact_png(folder / "step_0003000.png"))
    monkeypatch.setattr(sections, "GRID_BUDGET_BYTES", 4 * one)
    section = sections.progress_section(folder)
    assert len(_steps(section)) == 4 and _steps(section)[-1] == 3000
    assert len(section.body) < 5 * one


def test_no_grids_no_section(tmp_path):
    (tmp_path / "samples").mkdir()
    assert sections.progress_section(tmp_path / "samples") is None


def test_a_mean_over_draws_shows_its_standard_error_and_draw_count():
    records = [{"metric": "fd", "step": 500, "values": {"frechet_distance": 0.2873},
                "real_floor": {"frechet_distance": 0.0509}, "n_samples": 10000, "draws": 5,
                "standard_error": {"frechet_distance": 0.0063}},
               {"metric": "fd", "step": 600, "values": {"frechet_distance": 0.25},
                "real_floor": {"frechet_distance": 0.0509}, "n_samples": 10000}]
    body = sections.metrics_section(records).body
    assert "0.2873 ± 0.0063" in body and "10000 x 5 draws" in body
    assert "0.25 ±" not in body  # a single draw has no error bar
