"""Plots drawn with matplotlib's object API (no pyplot state, no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ganforge.data.toy import GaussianMixture
from ganforge.files import atomic_path


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


def save_training_curves(records: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Losses, V(D, G) against -log 4, and mean D(x), D(G(z)) against 1/2, over steps."""
    steps = np.array([r["step"] for r in records])
    figure = Figure(figsize=(11, 3.6))
    left, middle, right = figure.subplots(1, 3)
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        left.plot(steps, [r[key] for r in records], label=label, linewidth=0.8)
    left.set_title("losses")
    middle.plot(steps, [r["value"] for r in records], linewidth=0.8, label="V(D, G)")
    middle.axhline(-np.log(4), color="black", linestyle=":", label="-log 4")
    middle.set_title("value function")
    right.plot(steps, [r["d_real"] for r in records], linewidth=0.8, label="mean D(x)")
    right.plot(steps, [r["d_fake"] for r in records], linewidth=0.8, label="mean D(G(z))")
    right.axhline(0.5, color="black", linestyle=":", label="1/2")
    right.set_ylim(0, 1)
    right.set_title("discriminator outputs")
    for axes in (left, middle, right):
        axes.set_xlabel("step")
        axes.legend(fontsize=8)
    save_figure(figure, path)


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
