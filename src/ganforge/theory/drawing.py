"""The theory lab's pictures: Figure-1-style panels (Goodfellow et al. 2014), p_data black
dotted, p_g green solid, D(x) blue dashed, and lines from an evenly spaced z line below to
x = G(z); plus an animated GIF of the whole run."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from ganforge.files import atomic_path
from ganforge.theory.networks import Z_HALF_WIDTH
from ganforge.theory.snapshot import Snapshot
from ganforge.viz.plots import save_figure

X_LINE, Z_LINE = -0.18, -0.5  # heights of the x and z axes drawn under the curves


def _view(shots: Sequence[Snapshot]) -> tuple[float, float, float]:
    """A common x window (where p_data or p_g have mass) and density scale for all panels."""
    low, high, peak = np.inf, -np.inf, 0.0
    for shot in shots:
        for density in (shot.p_data, shot.p_g):
            mass = np.cumsum(density)
            mass /= mass[-1]
            low = min(low, float(np.interp(0.002, mass, shot.x)))
            high = max(high, float(np.interp(0.998, mass, shot.x)))
            peak = max(peak, float(density.max()))
    margin = 0.08 * (high - low)
    return low - margin, high + margin, peak


def draw_panel(axes: Axes, shot: Snapshot, window: tuple[float, float, float],
               show_d_star: bool = True) -> None:
    """One panel of Figure 1 on `axes`."""
    low, high, peak = window
    scale = 0.9 / peak if peak > 0 else 1.0
    axes.plot(shot.x, shot.p_data * scale, ":", color="black", linewidth=2, label="p_data")
    axes.plot(shot.x, shot.p_g * scale, "-", color="green", linewidth=1.6, label="p_g")
    axes.plot(shot.x, shot.d, "--", color="tab:blue", linewidth=1.6, label="D(x)")
    if show_d_star:
        axes.plot(shot.x, shot.d_star, "-", color="tab:blue", alpha=0.25, linewidth=3,
                  label="D*(x)")
    # The z line below, mapped affinely onto the x window, and the map z -> x = G(z).
    z_to_plot = low + (shot.z_points + Z_HALF_WIDTH) / (2 * Z_HALF_WIDTH) * (high - low)
    axes.hlines([X_LINE, Z_LINE], low, high, color="black", linewidth=1)
    for z_x, g_x in zip(z_to_plot, shot.x_of_z, strict=True):
        if low <= g_x <= high:
            axes.annotate("", xy=(g_x, X_LINE), xytext=(z_x, Z_LINE),
                          arrowprops={"arrowstyle": "->", "color": "0.35", "linewidth": 0.7})
    axes.text(low, Z_LINE - 0.08, "z", fontsize=9, va="top")
    axes.text(low, X_LINE + 0.02, "x", fontsize=9, va="bottom")
    axes.set_xlim(low, high)
    axes.set_ylim(Z_LINE - 0.15, 1.05)
    axes.set_yticks([0, 0.5, 1])
    axes.set_title(f"{shot.label}  (step {shot.step})", fontsize=9)


def save_figure1(panels: Sequence[Snapshot], path: str | Path) -> None:
    """The four panels (a)-(d) side by side."""
    figure = Figure(figsize=(4.2 * len(panels), 3.6))
    window = _view(panels)
    for index, (axes, shot) in enumerate(zip(figure.subplots(1, len(panels)), panels,
                                             strict=True)):
        draw_panel(axes, shot, window)
        if index == 0:
            axes.legend(loc="upper left", fontsize=7, frameon=False)
    save_figure(figure, path)


def _render(shot: Snapshot, window: tuple[float, float, float]) -> Image.Image:
    figure = Figure(figsize=(5, 3.6), dpi=80)
    axes = figure.add_subplot()
    draw_panel(axes, shot, window)
    axes.legend(loc="upper left", fontsize=7, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("P", palette=Image.Palette.ADAPTIVE)


def save_animation(frames: Sequence[Snapshot], path: str | Path, frame_ms: int = 120) -> None:
    """An animated GIF of the whole run (Pillow), every frame on the same axes."""
    window = _view(frames)
    images = [_render(shot, window) for shot in frames]
    with atomic_path(path) as temporary:
        images[0].save(temporary, format="GIF", save_all=True, append_images=images[1:],
                       duration=frame_ms, loop=0)
