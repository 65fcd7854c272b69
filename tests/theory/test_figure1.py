import numpy as np
import pytest

from ganforge.errors import ConfigError
from ganforge.theory.figure1 import Figure1Config, Figure1Experiment


def _max_error(experiment):
    shot = experiment.snapshot("now")
    return experiment.inner_loop_check(shot)["max_abs_d_minus_d_star"], shot


def test_discriminator_error_to_d_star_shrinks_in_the_inner_loop():
    experiment = Figure1Experiment(Figure1Config(batch_size=256, seed=1))
    before, shot = _max_error(experiment)
    assert shot.p_g_method == "change of variables"  # G starts monotone: p_g is exact
    for _ in range(400):
        experiment.trainer.discriminator_update()
    after, _ = _max_error(experiment)
    assert before > 0.3
    assert after < before / 3


def test_a_short_run_gives_four_panels_and_every_check():
    config = Figure1Config(inner_steps=60, improve_steps=10, steps=30, batch_size=128, frames=4)
    frames = []
    result = Figure1Experiment(config).run(on_frame=frames.append)
    assert [p.label[:3] for p in result.panels] == ["(a)", "(b)", "(c)", "(d)"]
    assert {"inner_loop", "value_at_optimum", "equilibrium"} <= result.checks.keys()
    assert len(frames) >= 4
    for panel in result.panels:
        assert np.isfinite(panel.p_g).all() and (panel.d >= 0).all() and (panel.d <= 1).all()
        assert abs(np.trapezoid(panel.p_g, panel.x) - 1) < 0.02


def test_mixtures_are_accepted_and_bad_settings_rejected():
    Figure1Config(means=(2.0, 6.0), stds=(0.5, 0.5))
    with pytest.raises(ConfigError):
        Figure1Config(k=0)
    with pytest.raises(ConfigError):
        Figure1Config(means=(1.0, 2.0), stds=(0.5,))
