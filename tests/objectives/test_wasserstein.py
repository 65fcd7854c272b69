import torch

from ganforge.objectives import build_objective
from ganforge.objectives.penalties import GradientPenalty
from ganforge.objectives.wasserstein import WassersteinGP


def test_critic_loss_is_the_negative_wasserstein_estimate():
    real, fake = torch.tensor([3.0, 1.0]), torch.tensor([-1.0, 0.0, 1.0])
    objective = WassersteinGP()
    assert torch.isclose(objective.discriminator_loss(real, fake), torch.tensor(-2.0))
    assert torch.isclose(objective.generator_loss(fake), torch.tensor(0.0))
    (estimate,) = objective.step_statistics(real, fake)
    assert torch.isclose(estimate, torch.tensor(2.0))


def test_the_gradient_penalty_is_on_by_default_with_weight_10():
    (penalty,) = build_objective("wgan-gp").penalties
    assert isinstance(penalty, GradientPenalty) and penalty.weight == 10.0
    assert build_objective("wgan-gp", gp_weight=0.0).penalties == ()


def test_gradient_penalty_of_a_linear_critic_is_lambda_times_norm_minus_one_squared():
    # D(x) = w . x has gradient w everywhere: the penalty is lambda (|w| - 1)^2, whatever the
    # interpolation point.
    torch.manual_seed(0)
    critic = torch.nn.Linear(4, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 0.0, 4.0, 0.0]]))  # |w| = 5
    real, fake = torch.randn(16, 4), torch.randn(16, 4)
    penalty = GradientPenalty(weight=10.0)(lambda x: critic(x).view(-1), real, fake,
                                          critic(real).view(-1))
    assert torch.isclose(penalty, torch.tensor(10.0 * 16.0))
    # Its gradient pulls |w| towards 1: d/dw lambda (|w| - 1)^2 = 2 lambda (|w| - 1) w / |w|.
    penalty.backward()
    expected = 2 * 10.0 * (5 - 1) * critic.weight.detach() / 5
    torch.testing.assert_close(critic.weight.grad, expected)
