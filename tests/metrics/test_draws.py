"""metrics.draws: several draws of samples combined into a mean and a standard error."""

import math

import pytest

from ganforge.errors import ConfigError
from ganforge.metrics.context import MetricResult
from ganforge.metrics.draws import combine_draws, draw_seeds


def _result(value, floor=0.5, settings=None):
    return MetricResult({"fd": value}, {"fd": floor}, settings or {"n_samples": 100})


def test_the_mean_and_standard_error_match_a_hand_computation():
    combined = combine_draws([_result(1.0, 0.4), _result(2.0, 0.5), _result(6.0, 0.6)])
    assert combined.values["fd"] == pytest.approx(3.0)
    assert combined.floor["fd"] == pytest.approx(0.5)
    # Sample s.d. of 1, 2, 6: sqrt(((-2)^2 + (-1)^2 + 3^2) / 2) = sqrt(7); s.e. = sqrt(7 / 3).
    assert combined.standard_error["fd"] == pytest.approx(math.sqrt(7 / 3))
    assert combined.settings == {"n_samples": 100, "draws": 3}


def test_one_draw_is_the_single_evaluation_unchanged():
    single = _result(1.25)
    assert combine_draws([single]) is single
    assert single.standard_error == {}


def test_a_value_that_is_not_finite_on_one_draw_has_no_error_bar():
    combined = combine_draws([_result(1.0), _result(math.inf)])
    assert combined.values["fd"] == math.inf and math.isnan(combined.standard_error["fd"])


def test_seeds_start_at_the_given_one_and_fewer_than_one_draw_is_refused():
    assert draw_seeds(7, 3) == [7, 8, 9]
    with pytest.raises(ConfigError, match="--draws must be >= 1"):
        draw_seeds(0, 0)
    with pytest.raises(ValueError):
        combine_draws([])
