"""Properties every registered objective must have: a new one is checked here by registering."""

import pytest
import torch

from ganforge.objectives import OBJECTIVES, build_objective


@pytest.mark.parametrize("name", OBJECTIVES)
def test_descending_the_losses_moves_d_and_g_the_right_way(name):
    objective = build_objective(name, gp_weight=0.0)
    # Outputs of 1/2, where no objective is at its target on either half.
    logits_real = torch.full((6,), 0.5, requires_grad=True)
    logits_fake = torch.full((6,), 0.5, requires_grad=True)
    objective.discriminator_loss(logits_real, logits_fake).backward()
    # D raises its output on real samples and lowers it on generated ones ...
    assert (logits_real.grad < 0).all() and (logits_fake.grad > 0).all()
    fake = torch.full((6,), 0.5, requires_grad=True)
    objective.generator_loss(fake).backward()
    # ... and G raises D's output on its samples.
    assert (fake.grad < 0).all()


@pytest.mark.parametrize("name", OBJECTIVES)
def test_losses_and_statistics_stay_finite_for_extreme_outputs(name):
    objective = build_objective(name)
    extreme = torch.tensor([-200.0, 200.0])
    values = [objective.discriminator_loss(extreme, extreme), objective.generator_loss(extreme),
              *objective.step_statistics(extreme, extreme)]
    assert all(torch.isfinite(v) for v in values)
    assert len(objective.step_statistics(extreme, extreme)) == len(objective.statistics)


def test_registry_keys_are_the_objectives_own_names():
    assert set(OBJECTIVES) >= {"minimax", "nonsaturating", "hinge", "wgan-gp", "least-squares"}
    assert all(cls.name == name for name, cls in OBJECTIVES.items())
    with pytest.raises(KeyError, match="unknown objective"):
        build_objective("cross-entropy")
