import math

import torch

from ganforge.training.schedules import DecayAndRamp


def _optimizer():
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.0)


def test_learning_rate_is_divided_by_the_decay_factor_per_update_down_to_the_floor():
    optimizer = _optimizer()
    schedule = DecayAndRamp(optimizer, lr=0.1, decay=1.000004, lr_min=1e-6)
    assert optimizer.param_groups[0]["lr"] == 0.1
    for _ in range(1000):
        schedule.step()
    assert math.isclose(optimizer.param_groups[0]["lr"], 0.1 / 1.000004**1000, rel_tol=1e-12)
    assert schedule.lr(10**9) == 1e-6  # floor, and no overflow for huge counts


def test_momentum_ramps_linearly_then_holds():
    optimizer = _optimizer()
    schedule = DecayAndRamp(optimizer, lr=0.1, decay=1.0, lr_min=0.0, momentum_start=0.5,
                            momentum_end=0.7, ramp_steps=100)
    assert optimizer.param_groups[0]["momentum"] == 0.5
    for _ in range(50):
        schedule.step()
    assert math.isclose(optimizer.param_groups[0]["momentum"], 0.6)
    for _ in range(500):
        schedule.step()
    assert math.isclose(optimizer.param_groups[0]["momentum"], 0.7)
    assert optimizer.param_groups[0]["lr"] == 0.1


def test_state_round_trip():
    schedule = DecayAndRamp(_optimizer(), lr=0.1, decay=1.01, lr_min=0.0)
    for _ in range(7):
        schedule.step()
    other = DecayAndRamp(_optimizer(), lr=0.1, decay=1.01, lr_min=0.0)
    other.load_state_dict(schedule.state_dict())
    assert other.lr() == schedule.lr() and other.optimizer.param_groups[0]["lr"] == schedule.lr()
