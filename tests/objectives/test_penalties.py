import torch

from ganforge.objectives import build_objective
from ganforge.objectives.penalties import R1Penalty


class _LinearCritic(torch.nn.Module):
    """logit = w . x + b: grad_x is w everywhere, so R1 is (gamma / 2) ||w||^2."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 1)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor([[1.0, -2.0, 2.0]]))  # ||w||^2 = 9

    def forward(self, x):
        return self.linear(x).view(-1)


def test_r1_of_a_linear_critic_is_half_gamma_times_w_squared():
    critic = _LinearCritic()
    real = torch.randn(8, 3, requires_grad=True)
    penalty = R1Penalty(weight=4.0)(critic, real, torch.randn(8, 3), critic(real))
    assert torch.isclose(penalty, torch.tensor(0.5 * 4.0 * 9.0))


def test_a_lazy_penalty_runs_every_n_updates_with_n_times_the_weight():
    critic = _LinearCritic()
    objective = build_objective("nonsaturating", r1_gamma=4.0, r1_every=3)
    real, fake = torch.randn(8, 3), torch.randn(8, 3)
    objectives = []
    for update in range(6):
        terms = objective.discriminator_terms(critic, real.clone(), fake, update)
        objectives.append((terms.objective - terms.loss).item())
    # Due at updates 0 and 3 only, with 3 x (gamma / 2) ||w||^2 = 54.
    assert objectives == [54.0, 0.0, 0.0, 54.0, 0.0, 0.0]


def test_discriminator_terms_split_one_pass_into_real_and_fake_halves():
    critic = _LinearCritic()
    real, fake = torch.randn(5, 3), torch.randn(5, 3)
    terms = build_objective("minimax").discriminator_terms(critic, real, fake, 0)
    torch.testing.assert_close(terms.logits_real, critic(real).detach())
    torch.testing.assert_close(terms.logits_fake, critic(fake).detach())
    assert terms.objective.requires_grad and not terms.loss.requires_grad
