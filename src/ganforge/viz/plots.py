"""Plots drawn with matplotlib's object API (no pyplot state, no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ganforge.data.toy import GaussianMixture
from ganforge.files import atomic_path
from ganforge.objectives.base import Statistic


def save_figure(figure: Figure, path: str | Path, dpi: int = 100) -> None:
    """Write a figure to PNG (or any format its suffix names), atomically."""
    path = Path(path)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi, bbox_inches="tight", format=path.suffix.lstrip("."))


def save_points_plot(points: np.ndarray, path: str | Path,
                     distribution: GaussianMixture | None = None, title: str = "") -> None:
    """1-D samples as a histogram over p_data; 2-D samples as a scatter over p_data's means."""
    figure = Figure(figsize=(5, 4))
    axes = figure.add_subplot()
    points = np.asarray(points).reshape(len(points), -1)
    if points.shape[1] == 1:
        axes.hist(points[:, 0], bins=100, density=True, color="tab:green", alpha=0.6,
                  label="samples")
        if distribution is not None:
            sample_low, sample_high = np.percentile(points[:, 0], [0.1, 99.9])
            data_low, data_high = _mixture_range(distribution)
            grid = np.linspace(min(float(sample_low), data_low),
                               max(float(sample_high), data_high), 400)
            axes.plot(grid, distribution.pdf(grid), "k:", label="p_data")
        axes.set_xlabel("x")
    else:
        axes.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="tab:green",
                     label="samples")
        if distribution is not None:
            means = distribution.means.numpy()
            axes.scatter(means[:, 0], means[:, 1], s=20, marker="x", color="black",
                         label="modes")
        axes.set_aspect("equal")
    axes.legend(loc="upper right", fontsize=8)
    axes.set_title(title)
    save_figure(figure, path)


def _mixture_range(distribution: GaussianMixture) -> tuple[float, float]:
    means, stds = distribution.means.numpy()[:, 0], distribution.stds.numpy()
    return float((means - 4 * stds).min()), float((means + 4 * stds).max())


def save_training_curves(records: Sequence[dict[str, Any]], path: str | Path,
                         statistics: Sequence[Statistic] = ()) -> None:
    """`training_curves_figure` written to `path`."""
    save_figure(training_curves_figure(records, statistics), path)


def training_curves_figure(records: Sequence[dict[str, Any]],
                           statistics: Sequence[Statistic] = ()) -> Figure:
    """Losses, then one panel per group of the objective's statistics, over steps. A reference
    line marks where a statistic settles at the equilibrium, only for objectives where one
    exists (V -> -log 4 and D -> 1/2 for the paper's logistic D)."""
    steps = np.array([r["step"] for r in records])
    shown = [s for s in statistics if all(s.key in r for r in records)]
    panels: dict[str, list[Statistic]] = {}
    for statistic in shown:
        panels.setdefault(statistic.panel, []).append(statistic)
    figure = Figure(figsize=(3.7 * (1 + len(panels)), 3.6))
    axes_row = figure.subplots(1, 1 + len(panels), squeeze=False)[0]
    losses = axes_row[0]
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        losses.plot(steps, [r[key] for r in records], label=label, linewidth=0.8)
    losses.set_title("losses")
    for axes, (title, members) in zip(axes_row[1:], panels.items(), strict=True):
        references: dict[float, str] = {}
        for statistic in members:
            axes.plot(steps, [r[statistic.key] for r in records], linewidth=0.8,
                      label=statistic.label)
            if statistic.equilibrium is not None:
                references[statistic.equilibrium] = statistic.equilibrium_label
        for value, label in references.items():
            axes.axhline(value, color="black", linestyle=":", label=label)
        ranges = {statistic.value_range for statistic in members}
        if len(ranges) == 1 and None not in ranges:
            low, high = ranges.pop()  # type: ignore[misc]
            margin = 0.03 * (high - low)  # a value at a bound stays visible
            axes.set_ylim(low - margin, high + margin)
        axes.set_title(title)
    for axes in axes_row:
        axes.set_xlabel("step")
        # matplotlib's default picks up to 6 step ticks; past 10,000 steps their labels run
        # into each other in a 3.7-inch panel, so at most 4
        axes.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        axes.legend(fontsize=8)
    return figure


def save_stage_scatter(rows: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]],
                                            GaussianMixture | None]],
                       path: str | Path) -> None:
    """A grid of 2-D scatter plots: one row per run, one column per stage of training."""
    columns = max(len(stages) for _, stages, _ in rows)
    figure = Figure(figsize=(2.6 * columns, 2.7 * len(rows)))
    grid = figure.subplots(len(rows), columns, squeeze=False)
    for row, (title, stages, distribution) in enumerate(rows):
        for column in range(columns):
            axes = grid[row][column]
            if column >= len(stages):
                axes.set_axis_off()
                continue
            label, points = stages[column]
            axes.scatter(points[:, 0], points[:, 1], s=1, alpha=0.35, color="tab:green")
            if distribution is not None:
                means = distribution.means.numpy()
                axes.scatter(means[:, 0], means[:, 1], s=12, marker="x", color="black",
                             linewidths=0.8)
            axes.set_aspect("equal")
            axes.set_xticks([])
            axes.set_yticks([])
            axes.set_title(f"{title}: {label}" if column == 0 else label, fontsize=8)
    save_figure(figure, path)
