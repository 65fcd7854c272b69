"""The report's sections, each built from one kind of evidence in a run folder. A function here
returns a `Section` (or None when the run has nothing of that kind); `build.py` picks them by
the kind of run. A new section is one function here and one line there."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image

from ganforge.analysis.neighbours import NeighbourCheck
from ganforge.durations import format_duration
from ganforge.objectives.base import Statistic
from ganforge.provenance import PROVENANCE_KEYS, PROVENANCE_LABELS
from ganforge.report.page import Raw, Section, escape, figure_uri, image_uri, img, png_uri, table
from ganforge.viz.grid import grid_image
from ganforge.viz.plots import training_curves_figure

MAX_GRIDS = 60
"""Grids on the progress slider at most: evenly spaced over the run, the last always in."""
GRID_BUDGET_BYTES = 6_000_000
"""...and no more than fit in this many bytes of page (colour grids are several times larger
than grayscale ones), so that a page stays well under 10 MB however long the run."""
_STEP_FILE = re.compile(r"step_(\d+)\.png$")


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _relevant(key: str, settings: dict[str, Any]) -> bool:
    """Leave out the sections a run does not use: other architectures', toy data's for images."""
    parts = key.split(".")
    model, data = settings.get("model", {}), settings.get("data", {})
    if parts[0] == "model" and len(parts) == 3 and parts[1] != model.get("arch"):
        return False
    toy_data = str(data.get("name", "")).endswith(("-1d", "-2d"))
    return not (parts[:2] == ["data", "toy"] and not toy_data)


def run_section(config: dict[str, Any], records: Sequence[dict[str, Any]], *, live: bool,
                run_dir: Path) -> Section:
    """What was trained, with what, for how long."""
    settings = {k: v for k, v in config.items() if k not in PROVENANCE_KEYS}
    summary: list[tuple[str, object]] = [("run folder", run_dir.resolve()),
                                         ("status", "training (live)" if live else "finished")]
    if records:
        last = records[-1]
        elapsed = float(last.get("elapsed_s") or 0)
        summary += [("steps", f"{last['step']:,}"), ("training time", format_duration(elapsed))]
        if elapsed > 0:
            summary.append(("steps/s", f"{last['step'] / elapsed:.1f}"))
    summary += [(label, config.get(key, "?")) for key, label in PROVENANCE_LABELS.items()]
    shown = [(key, json.dumps(value) if isinstance(value, list | tuple | bool) or value is None
              else value) for key, value in _flatten(settings) if _relevant(key, settings)]
    body = table(["", ""], summary) + \
        "<details><summary>Settings (config.json; the sections this run uses)</summary>" + \
        table(["setting", "value"], shown, "settings") + "</details>"
    return Section("run", "The run", body)


def _grid_files(samples_dir: Path) -> list[tuple[int, Path]]:
    found = []
    for path in samples_dir.glob("step_*.png"):
        match = _STEP_FILE.search(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _spread(items: Sequence[Any], limit: int) -> list[Any]:
    """At most `limit` items, evenly spaced, first and last included."""
    if len(items) <= limit:
        return list(items)
    positions = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in sorted(set(positions.tolist()))]


def _compact_png(path: Path) -> str:
    """The grid as a palette PNG: sample grids are grayscale or few-coloured, and a palette
    (with Pillow's optimiser) roughly halves their size."""
    with Image.open(path) as image:
        image.load()
        compact = image.convert("L") if image.mode in ("L", "LA", "I") else \
            image.convert("RGB").quantize(256)
        return image_uri(compact)


def progress_section(samples_dir: Path) -> Section | None:
    """The sample grids over training (G on fixed noise), one at a time on a slider."""
    files = _grid_files(samples_dir)
    if not files:
        return None
    # The last grid is as a rule the largest (early grids are smoother noise).
    last = _compact_png(files[-1][1])
    fits = max(2, GRID_BUDGET_BYTES // max(len(last), 1))
    grids = _spread(files, min(MAX_GRIDS, fits))
    frames = "".join(
        f'<img src="{last if i == len(grids) - 1 else _compact_png(path)}" '
        f'alt="samples at step {step}" data-step="{step}" '
        f'class="pixelated"{" hidden" if i < len(grids) - 1 else ""}>'
        for i, (step, path) in enumerate(grids))
    body = (f'<p>G on the same fixed noise at each sample step. Step '
            f'<b id="progress-step">{grids[-1][0]}</b> '
            f'<input type="range" id="progress-slider" min="0" max="{len(grids) - 1}" '
            f'value="{len(grids) - 1}" step="1" aria-label="training step"></p>'
            f'<div class="grid-frame">{frames}</div>')
    return Section("progress", "Progress", body)


def curves_section(records: Sequence[dict[str, Any]],
                   statistics: Sequence[Statistic]) -> Section | None:
    """The training curves, with reference lines only where the objective has an equilibrium."""
    if not records:
        return None
    figure = training_curves_figure(records, statistics)
    explained = [f"{s.label}: settles at {s.equilibrium:g}" for s in statistics
                 if s.equilibrium is not None]
    note = ("Dashed lines: " + "; ".join(explained) + ".") if explained else \
        "This objective has no equilibrium value to draw."
    return Section("curves", "Curves",
                   img(figure_uri(figure), "training curves") + f'<p class="note">{escape(note)}'
                   "</p>")


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def metrics_section(records: Sequence[dict[str, Any]]) -> Section | None:
    """Every record of metrics.jsonl beside its real-data floor, and each value's history."""
    if not records:
        return Section("metrics", "Metrics",
                       '<p class="note">No evaluations yet: <code>ganforge evaluate RUN_DIR</code> '
                       "scores the generator and appends to metrics.jsonl.</p>")
    rows = []
    history: dict[str, list[tuple[int, float, float | None]]] = {}
    for record in records:
        floors = record.get("real_floor", {})
        errors = record.get("standard_error", {})  # a mean over `draws` draws of samples
        samples = record.get("n_samples", "")
        if record.get("draws", 1) > 1:
            samples = f"{samples} x {record['draws']} draws"
        for key, value in record.get("values", {}).items():
            floor, error = floors.get(key), errors.get(key)
            generator = _number(value) + ("" if error is None else f" ± {_number(error)}")
            rows.append([record.get("step", "?"), record.get("metric", "?"), key,
                         generator, "" if floor is None else _number(floor),
                         samples, record.get("time", "")])
            if isinstance(value, int | float):
                history.setdefault(key, []).append(
                    (int(record.get("step", 0)), float(value),
                     float(floor) if isinstance(floor, int | float) else None))
    body = table(["step", "metric", "value", "generator", "real floor", "samples", "time"], rows)
    if history:
        columns = min(3, len(history))
        rows_needed = -(-len(history) // columns)
        figure = Figure(figsize=(4.2 * columns, 2.6 * rows_needed))
        for index, (key, points) in enumerate(history.items()):
            axes = figure.add_subplot(rows_needed, columns, index + 1)
            points.sort()
            steps = [p[0] for p in points]
            axes.plot(steps, [p[1] for p in points], "o-", label="generator")
            floors = [p[2] for p in points if p[2] is not None]
            if floors:
                axes.axhline(floors[-1], color="grey", linestyle="--", label="real floor")
            axes.set_title(key, fontsize=9)
            axes.set_xlabel("step", fontsize=8)
            axes.tick_params(labelsize=7)
        figure.axes[0].legend(fontsize=7)
        figure.tight_layout()
        body += "<h3>History over evaluations</h3>" + img(figure_uri(figure), "metric history")
    return Section("metrics", "Metrics", body)


def _strip(images: torch.Tensor, scale: int) -> str:
    return img(image_uri(grid_image(images, nrow=len(images), scale=scale)), "images",
               "pixelated strip")


def memorisation_section(check: NeighbourCheck | None, train: torch.Tensor | None, *,
                         reason: str = "") -> Section:
    """Nearest training images of 16 samples (pixels and features) and the distance
    distributions, with the reading in words."""
    if check is None or train is None:
        return Section("memorisation", "Memorisation check",
                       f'<p class="note">{escape(reason)}</p>')
    scale = max(1, 56 // check.samples.shape[-1])

    def images(index: torch.Tensor) -> torch.Tensor:
        picked = train[index]
        return picked.float() / 255 if picked.dtype == torch.uint8 else picked

    rows = []
    for i in range(len(check.samples)):
        row: list[object] = [Raw(_strip(check.samples[i:i + 1], scale)),
                             Raw(_strip(images(check.pixel_index[i]), scale)),
                             ", ".join(f"{d:.2f}" for d in check.pixel_distance[i].tolist())]
        if check.feature_index is not None and check.feature_distance is not None:
            row += [Raw(_strip(images(check.feature_index[i]), scale)),
                    ", ".join(f"{d:.2f}" for d in check.feature_distance[i].tolist())]
        rows.append(row)
    k = check.pixel_index.shape[1]
    header = ["sample", f"{k} nearest training images (pixels)", "distance"]
    if check.feature_index is not None:
        header += [f"{k} nearest (classifier features)", "distance"]
    figure = Figure(figsize=(6.5, 2.8))
    axes = figure.add_subplot()
    top = float(max(check.sample_distances.max(), check.held_out_distances.max()))
    bins = np.linspace(0, top, 50).tolist()
    axes.hist(check.held_out_distances.numpy(), bins=bins, alpha=0.6,
              label=f"held-out real images ({len(check.held_out_distances)})")
    axes.hist(check.sample_distances.numpy(), bins=bins, alpha=0.6,
              label=f"samples ({len(check.sample_distances)})")
    axes.set_xlabel("pixel distance to the nearest training image")
    axes.legend(fontsize=8)
    figure.tight_layout()
    note = "" if check.feature_index is not None else \
        f'<p class="note">{escape(reason)}</p>'
    body = (f'<p class="verdict">{escape(check.verdict())}</p>'
            + img(figure_uri(figure), "distance histograms") + note
            + table(header, rows))
    return Section("memorisation", "Memorisation check", body)


def walks_section(walks: torch.Tensor, steps: int, spherical: bool) -> Section:
    scale = max(1, 56 // walks.shape[-1])
    path = "spherical (slerp: a Gaussian prior's mass lies near a sphere)" if spherical else \
        "straight lines (a uniform prior's cube is convex)"
    return Section("walks", "Latent walks",
                   f"<p>Each row: G along a path between two random z, {path}. Smooth changes "
                   "mean G maps nearby noise to nearby images.</p>"
                   + img(image_uri(grid_image(walks, nrow=steps, scale=scale)), "latent walks",
                         "pixelated"))


def theory_section(run_dir: Path) -> Section | None:
    """A `ganforge theory` run: Figure 1, its animation, and the checks."""
    checks_path = run_dir / "checks.json"
    if not checks_path.is_file():
        return None
    body = ""
    for name, kind in (("figure1.png", "png"), ("figure1.gif", "gif")):
        path = run_dir / name
        if path.is_file():
            body += img(png_uri(path.read_bytes(), f"image/{kind}"), name)
    checks = json.loads(checks_path.read_text(encoding="utf-8"))
    for entry in checks if isinstance(checks, list) else [checks]:
        body += table(["check", "value"], [(k, json.dumps(v) if not isinstance(v, str) else v)
                                           for k, v in _flatten(entry)])
    return Section("theory", "Theory run (Figure 1)", body)


def modes_section(run_dir: Path) -> Section | None:
    """A `ganforge modes` run: the table and every stage plot."""
    summary = run_dir / "summary.json"
    if not summary.is_file():
        return None
    rows = json.loads(summary.read_text(encoding="utf-8"))
    table_rows = []
    for name, values in rows.items():
        for key, value in _flatten(values) if isinstance(values, dict) else [("", values)]:
            table_rows.append([name, key, _number(value)])
    body = table(["config", "measure", "value"], table_rows)
    for path in sorted(run_dir.rglob("stages.png")):
        body += f"<h3>{escape(path.parent.relative_to(run_dir))}</h3>" + \
            img(png_uri(path.read_bytes()), f"stages of {path.parent.name}")
    return Section("modes", "Mode-coverage run", body)
