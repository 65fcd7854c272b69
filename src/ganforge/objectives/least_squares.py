"""The least-squares objective (Mao et al. 2017) with targets a = 0 (fake), b = 1 (real) and
c = 1 (what G wants D to say). D's raw output s is regressed onto the targets; its optimum is
s*(x) = p_data / (p_data + p_g), so s -> 1/2 at the equilibrium, as the paper's D does.

D: 1/2 E_x[(s(x) - 1)^2] + 1/2 E_z[s(G(z))^2]      G: 1/2 E_z[(s(G(z)) - 1)^2]
"""

from __future__ import annotations

from torch import Tensor

from ganforge.objectives.base import Objective, Statistic


class LeastSquares(Objective):
    name = "least-squares"
    statistics = (
        Statistic("score_real", "mean D score, real", "discriminator scores", 0.5, "1/2"),
        Statistic("score_fake", "mean D score, generated", "discriminator scores", 0.5, "1/2"),
    )

    def discriminator_loss(self, logits_real: Tensor, logits_fake: Tensor) -> Tensor:
        return 0.5 * (logits_real - 1).pow(2).mean() + 0.5 * logits_fake.pow(2).mean()

    def generator_loss(self, logits_fake: Tensor) -> Tensor:
        return 0.5 * (logits_fake - 1).pow(2).mean()

    def step_statistics(self, logits_real: Tensor, logits_fake: Tensor) -> list[Tensor]:
        return [logits_real.mean(), logits_fake.mean()]
