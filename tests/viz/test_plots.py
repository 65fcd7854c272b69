import itertools

import numpy as np
import pytest
from PIL import Image

from ganforge.objectives import OBJECTIVES
from ganforge.viz.plots import save_training_curves, training_curves_figure


def _records(objective: str, steps: int = 5) -> list[dict]:
    keys = [s.key for s in OBJECTIVES[objective].statistics]
    return [{"step": step, "d_loss": 1.0, "g_loss": 0.5, **{k: 0.4 for k in keys}}
            for step in range(1, steps + 1)]


def _reference_lines(axes) -> list[float]:
    # axhline draws a line whose x data spans the axes in axes coordinates: [0, 1].
    return [line.get_ydata()[0] for line in axes.get_lines()
            if list(line.get_xdata()) == [0, 1]]


def test_logistic_curves_draw_minus_log4_and_one_half():
    figure = training_curves_figure(_records("minimax"), OBJECTIVES["minimax"].statistics)
    losses, value, outputs = figure.axes
    assert value.get_title() == "value function"
    assert _reference_lines(value) == pytest.approx([-np.log(4)])
    assert _reference_lines(outputs) == [0.5]
    assert outputs.get_ylim()[0] < 0 < 1 < outputs.get_ylim()[1]  # a probability's range
    assert _reference_lines(losses) == []


def test_objectives_without_an_equilibrium_value_get_no_reference_lines():
    figure = training_curves_figure(_records("hinge"), OBJECTIVES["hinge"].statistics)
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == ["losses", "discriminator outputs", "margin"]
    assert all(_reference_lines(axes) == [] for axes in figure.axes)


def test_a_log_without_an_objectives_statistics_still_plots_the_losses():
    figure = training_curves_figure(_records("minimax"), OBJECTIVES["wgan-gp"].statistics)
    assert [axes.get_title() for axes in figure.axes] == ["losses"]


def test_curves_render_headless_to_png(tmp_path):
    path = tmp_path / "curves.png"
    save_training_curves(_records("least-squares"), path, OBJECTIVES["least-squares"].statistics)
    with Image.open(path) as image:
        assert image.width > image.height > 100
    assert not list(tmp_path.glob(".*.tmp"))


def test_step_labels_of_a_long_run_do_not_run_into_each_other():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = training_curves_figure(_records("minimax", steps=25_600),
                                    OBJECTIVES["minimax"].statistics)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    for axes in figure.axes:
        low, high = axes.get_xlim()
        labels = [label for label, at in zip(axes.get_xticklabels(), axes.get_xticks(),
                                             strict=True)
                  if low <= at <= high and label.get_text()]
        boxes = sorted((label.get_window_extent(renderer) for label in labels),
                       key=lambda box: box.x0)
        assert len(boxes) >= 2
        assert all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes))
