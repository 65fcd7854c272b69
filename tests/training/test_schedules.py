import math

import torch

from ganforge.training.schedules import DecayAndRamp, top_k_fraction


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


def test_top_k_fraction_decays_per_epoch_down_to_its_floor_and_is_one_when_off():
    assert top_k_fraction(0, 0.99, 0.5) == 1.0
    assert math.isclose(top_k_fraction(10, 0.99, 0.5), 0.99**10)
    assert top_k_fraction(68, 0.99, 0.5) == 0.99**68 > 0.5  # 0.99^68 = 0.505, 0.99^69 = 0.4998
    assert top_k_fraction(69, 0.99, 0.5) == 0.5
    assert top_k_fraction(10**6, 0.99, 0.5) == 0.5
    assert top_k_fraction(100, 1.0, 0.5) == 1.0
