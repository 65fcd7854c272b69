"""benchmarks/quality_vs_peer.py: when a preset's earlier marks are kept and its run resumed,
where a named comparison keeps its results, where the plot puts its legend, and that --redraw
trains nothing."""

import json
import sys
from pathlib import Path

import pytest
from benchmarks import benchmarks_file, quality_vs_peer
from benchmarks.quality_vs_peer import (
    ROOT,
    continues,
    fd_figure,
    outputs,
    scored_row,
    write_benchmarks,
)

import ganforge
from ganforge.config import RunConfig
from ganforge.metrics.context import MetricResult


def _rows(*marks_and_steps: tuple[float, int]) -> list[dict]:
    return [{"minutes": minutes, "steps": steps} for minutes, steps in marks_and_steps]


def test_continues_only_from_a_prefix_of_the_marks_at_the_saved_step(
        tiny_config: RunConfig, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    ganforge.train(tiny_config, run_dir, progress=False)  # 20 steps
    marks = [2.0, 5.0, 10.0, 30.0]
    assert continues(_rows((2, 10), (5, 20)), marks, run_dir)
    assert not continues(_rows((2, 10), (5, 15)), marks, run_dir)   # the folder moved on
    assert not continues(_rows((5, 20)), marks, run_dir)             # not the first marks
    assert not continues(_rows((2, 10), (5, 20)), [5.0, 10.0], run_dir)
    assert not continues([], marks, run_dir)
    assert not continues(_rows((2, 10), (5, 20)), marks, tmp_path / "missing")


def test_the_default_comparison_keeps_its_files_and_markers() -> None:
    results, plot, start, end = outputs("quality_vs_peer")
    assert results == ROOT / "benchmarks" / "results" / "quality_vs_peer.json"
    assert plot == ROOT / "docs" / "quality_vs_peer.png"
    assert (start, end) == ("<!-- quality-vs-peer:start -->", "<!-- quality-vs-peer:end -->")
    assert start in (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")


def test_a_named_comparison_writes_its_own_block_and_leaves_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    benchmarks = tmp_path / "BENCHMARKS.md"
    main_block = "<!-- quality-vs-peer:start -->\nold\n<!-- quality-vs-peer:end -->\n"
    benchmarks.write_text(f"# B\n{main_block}", encoding="utf-8")
    monkeypatch.setattr(benchmarks_file, "BENCHMARKS", benchmarks)
    write_benchmarks("first", "dcgan_rework")
    write_benchmarks("second", "dcgan_rework")   # replaced in place, not appended again
    content = benchmarks.read_text(encoding="utf-8")
    assert main_block in content
    assert content.count("<!-- dcgan-rework:start -->") == 1
    assert "<!-- dcgan-rework:start -->\nsecond\n<!-- dcgan-rework:end -->" in content
    assert outputs("dcgan_rework")[0].name == "dcgan_rework.json"


def test_a_mark_scored_on_several_draws_keeps_its_standard_errors() -> None:
    results = {"fd": MetricResult({"frechet_distance": 0.23}, {"frechet_distance": 0.05}, {},
                                  {"frechet_distance": 0.003}),
               "kid": MetricResult({"kid": 0.0025}, {"kid": -0.0006}, {}, {"kid": 0.0003})}
    row = scored_row(30.0, 61_510, results, draws=5)
    assert row == {"minutes": 30.0, "steps": 61_510,
                   "values": {"frechet_distance": 0.23, "kid": 0.0025},
                   "floor": {"frechet_distance": 0.05, "kid": -0.0006}, "draws": 5,
                   "standard_error": {"frechet_distance": 0.003, "kid": 0.0003}}
    one_draw = {name: MetricResult(r.values, r.floor, {}) for name, r in results.items()}
    assert set(scored_row(2.0, 2_180, one_draw, draws=1)) == {"minutes", "steps", "values", "floor"}


def test_the_plot_has_one_legend_beside_its_panels_naming_each_model_once() -> None:
    def rows(fd: float) -> list[dict]:
        return [{"minutes": minutes, "steps": 100, "values": {"frechet_distance": fd / minutes},
                 "floor": {"frechet_distance": 0.05}} for minutes in (2.0, 5.0)]

    results = {"mnist": {"pytorch-gan-dcgan": {"0": rows(40.0)}, "mnist-dcgan": {"0": rows(4.0)}},
               "fashion-mnist": {"pytorch-gan-dcgan": {"0": rows(40.0)},
                                 "fashion-dcgan": {"0": rows(9.0), "1": rows(8.0)}}}
    figure = fd_figure(results)
    import matplotlib.pyplot as plt  # after fd_figure, which chooses the Agg backend

    assert [axis.get_title() for axis in figure.axes] == ["mnist", "fashion-mnist"]
    assert all(axis.get_legend() is None for axis in figure.axes)   # none inside a panel
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "pytorch-gan-dcgan", "mnist-dcgan", "fashion-dcgan", "real floor"]
    # the legend sits right of every panel, so it covers no curve and no floor line
    figure.canvas.draw()
    legend_box = legend.get_window_extent()
    assert all(legend_box.x0 >= axis.get_window_extent().x1 for axis in figure.axes)
    plt.close(figure)


def _redirect_outputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    results = tmp_path / "grid.json"
    monkeypatch.setattr(quality_vs_peer, "outputs", lambda name: (
        results, tmp_path / "grid.png", "<!-- grid:start -->", "<!-- grid:end -->"))
    return results


def test_redraw_trains_nothing_even_where_the_json_lacks_marks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    results = _redirect_outputs(monkeypatch, tmp_path)
    values = {"frechet_distance": 40.0, "kid": 1.0, "precision": 0.5, "recall": 0.1,
              "density": 0.2, "coverage": 0.05, "class_coverage_kl": 0.4, "classes_covered": 9.0}
    floor = {**values, "frechet_distance": 0.05}
    # Seed 0 only, and only the 2-minute mark: the defaults ask for 3 seeds and 4 marks.
    results.write_text(json.dumps({"mnist": {"pytorch-gan-dcgan": {"0": [
        {"minutes": 2.0, "steps": 176, "values": values, "floor": floor}]}}}))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("--redraw trained a model")
    monkeypatch.setattr(quality_vs_peer, "train_peer", refuse)
    monkeypatch.setattr(quality_vs_peer, "train_preset", refuse)
    monkeypatch.setattr(quality_vs_peer.ganforge, "build_dataset", refuse)
    monkeypatch.setattr(sys, "argv", ["quality_vs_peer.py", "--redraw"])
    quality_vs_peer.main()
    assert "| pytorch-gan-dcgan | 2 | 1 | 176 | 40.00 |" in capsys.readouterr().out
    assert (tmp_path / "grid.png").stat().st_size > 0


def test_reuse_of_a_cut_short_json_stops_before_training_and_keeps_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = _redirect_outputs(monkeypatch, tmp_path)
    results.write_text('{"mnist": {"pytorch-gan-dcgan": {"0": [{"minutes": 2.0,')

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained on top of results it could not read")
    monkeypatch.setattr(quality_vs_peer, "train_peer", refuse)
    monkeypatch.setattr(quality_vs_peer, "train_preset", refuse)
    monkeypatch.setattr(quality_vs_peer.ganforge, "build_dataset", refuse)
    monkeypatch.setattr(sys, "argv", ["quality_vs_peer.py", "--reuse", "--seeds", "1"])
    with pytest.raises(SystemExit, match="grid.json is not valid JSON"):
        quality_vs_peer.main()
    assert results.read_text() == '{"mnist": {"pytorch-gan-dcgan": {"0": [{"minutes": 2.0,'


def test_redraw_without_a_json_is_a_one_line_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _redirect_outputs(monkeypatch, tmp_path)
    monkeypatch.setattr(sys, "argv", ["quality_vs_peer.py", "--redraw"])
    with pytest.raises(SystemExit, match="--redraw: .*grid.json not found; run the benchmark "
                                         "without --redraw first"):
        quality_vs_peer.main()


def test_a_call_without_reuse_replaces_only_the_rows_it_trains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = _redirect_outputs(monkeypatch, tmp_path)
    values = {"frechet_distance": 40.0, "kid": 1.0, "precision": 0.5, "recall": 0.1,
              "density": 0.2, "coverage": 0.05, "class_coverage_kl": 0.4, "classes_covered": 9.0}
    floor = {**values, "frechet_distance": 0.05}

    def row(steps: int, fd: float) -> list[dict[str, object]]:
        return [{"minutes": 2.0, "steps": steps, "values": {**values, "frechet_distance": fd},
                 "floor": floor}]
    stored = {"mnist": {"pytorch-gan-dcgan": {"0": row(176, 40.0)},
                        "pytorch-gan-mlp": {"0": row(5000, 120.0), "1": row(5100, 110.0)}},
              "fashion-mnist": {"pytorch-gan-mlp": {"0": row(9000, 45.0)}}}
    results.write_text(json.dumps(stored))
    trained = []

    def train_peer(model: str, data: str, seed: int, *args: object) -> list[dict[str, object]]:
        trained.append((model, data, seed))
        return row(5200, 100.0)
    monkeypatch.setattr(quality_vs_peer, "train_peer", train_peer)
    monkeypatch.setattr(quality_vs_peer.ganforge, "build_dataset", lambda config: None)
    monkeypatch.setattr(sys, "argv", ["quality_vs_peer.py", "--models", "pytorch-gan-mlp",
                                      "--seeds", "0", "--minutes", "2"])
    quality_vs_peer.main()
    assert trained == [("pytorch-gan-mlp", "mnist", 0)]  # scored already, but no --reuse
    saved = json.loads(results.read_text())
    assert saved["mnist"]["pytorch-gan-mlp"]["0"] == row(5200, 100.0)
    for data, model, seed in (("mnist", "pytorch-gan-dcgan", "0"),
                              ("mnist", "pytorch-gan-mlp", "1"),
                              ("fashion-mnist", "pytorch-gan-mlp", "0")):
        assert saved[data][model][seed] == stored[data][model][seed]


def test_a_used_run_folder_it_would_not_resume_is_a_one_line_error_before_training(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _redirect_outputs(monkeypatch, tmp_path)
    runs = tmp_path / "runs"
    used = quality_vs_peer.preset_run_dir(runs, "mnist", "mnist-dcgan", 0)
    used.mkdir(parents=True)
    (used / "config.json").write_text("{}")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained into a used run folder")
    monkeypatch.setattr(quality_vs_peer, "train_preset", refuse)
    monkeypatch.setattr(quality_vs_peer.ganforge, "build_dataset", lambda config: None)
    monkeypatch.setattr(sys, "argv", ["quality_vs_peer.py", "--models", "mnist-dcgan",
                                      "--seeds", "0", "--runs", str(runs)])
    with pytest.raises(SystemExit) as stop:
        quality_vs_peer.main()
    assert str(stop.value) == (f"error: {used} already holds a run that this call would not "
                               "resume: pass --reuse --redo to train it again from scratch, or "
                               "another --runs folder")
    assert (used / "config.json").read_text() == "{}"
