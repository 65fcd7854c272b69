import re

import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.errors import ConfigError
from ganforge.evaluation import evaluate
from ganforge.report import write_report

SECTIONS = ("run", "progress", "curves", "metrics", "memorisation", "walks")


def _offline(page: str) -> None:
    """Nothing in the page points outside it: no URLs in src/href, no stylesheets or imports."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_training_writes_a_final_report_that_no_longer_reloads(trained_run):
    page = (trained_run / "report.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in page
    assert "status</td><td>finished" in page
    assert "precision</td><td>fp32" in page  # what the run trained in, from config.json


def test_the_report_is_one_offline_page_with_every_section(trained_run):
    evaluate(trained_run, metrics=["memorisation"], progress=False)
    path = write_report(trained_run, features="never", progress=False)
    page = path.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}">' in page, section
    _offline(page)
    # One slider frame per saved grid (steps 10..40), the last one shown.
    frames = re.findall(r'data-step="(\d+)"', page)
    assert frames == ["10", "20", "30", "40"]
    assert 'max="3"' in page
    assert "nearest_train_distance" in page  # the metrics record, beside its floor
    assert re.search(r'class="verdict">(No sign of copying|Closer than|Copying)', page)
    assert path.stat().st_size < 10_000_000


def test_a_live_page_reloads_itself(trained_run, tmp_path):
    page = write_report(trained_run, out=tmp_path / "live.html", live=True, features="never",
                        progress=False).read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in page and "reloads itself" in page


def test_feature_space_neighbours_come_from_the_classifier(trained_run, tmp_path,
                                                           quick_classifier):
    page = write_report(trained_run, out=tmp_path / "features.html",
                        progress=False).read_text(encoding="utf-8")
    assert "nearest (classifier features)" in page


def _png(path):
    Image.new("L", (4, 4), 128).save(path)
    return path


def test_theory_and_modes_runs_get_their_figures_and_tables(tmp_path):
    theory = tmp_path / "theory"
    theory.mkdir()
    _png(theory / "figure1.png")
    (theory / "checks.json").write_text('{"d_star_error": 0.01, "passed": true}')
    page = write_report(theory).read_text(encoding="utf-8")
    assert '<section id="theory">' in page and "d_star_error" in page
    _offline(page)
    modes = tmp_path / "modes"
    (modes / "ring").mkdir(parents=True)
    _png(modes / "ring" / "stages.png")
    (modes / "summary.json").write_text('{"modes-2d": {"ring-2d": {"modes_captured": 7.5}}}')
    page = write_report(modes).read_text(encoding="utf-8")
    assert '<section id="modes">' in page and "modes_captured" in page and "stages of ring" in page


def test_a_folder_that_is_no_run_is_one_line_and_exit_2(tmp_path, capsys):
    with pytest.raises(ConfigError, match="not a ganforge run folder"):
        write_report(tmp_path)
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_tensorboard_gets_sample_grids_and_evaluation_metrics(trained_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    evaluate(trained_run, metrics=["memorisation"], progress=False)
    images, scalars = set(), set()
    for events in (trained_run / "tensorboard").iterdir():
        reader = EventAccumulator(str(events), size_guidance={"images": 0, "scalars": 0})
        reader.Reload()
        images |= set(reader.Tags()["images"])
        scalars |= set(reader.Tags()["scalars"])
        if "samples" in reader.Tags()["images"]:
            steps = [event.step for event in reader.Images("samples")]
            assert steps == [10, 20, 30, 40]
    assert "samples" in images
    assert {"d_loss", "metrics/memorisation_ratio", "metrics_floor/nearest_train_distance"} \
        <= scalars
