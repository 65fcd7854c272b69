"""The Wasserstein objective with gradient penalty (Gulrajani et al. 2017): D is a critic whose
mean gap between real and generated samples estimates the Wasserstein-1 distance, kept
1-Lipschitz by the penalty (weight 10 unless `loss.gp_weight` says otherwise).

D: E_z[l(G(z))] - E_x[l(x)] + GP      G: -E_z[l(G(z))]
"""

from __future__ import annotations

from torch import Tensor

from ganforge.objectives.base import Objective, Statistic


class WassersteinGP(Objective):
    name = "wgan-gp"
    default_gp_weight = 10.0
    statistics = (
        Statistic("wasserstein", "critic's W1 estimate", "Wasserstein estimate", 0.0, "0"),
    )

    def discriminator_loss(self, logits_real: Tensor, logits_fake: Tensor) -> Tensor:
        return logits_fake.mean() - logits_real.mean()

    def generator_loss(self, logits_fake: Tensor) -> Tensor:
        return -logits_fake.mean()

    def step_statistics(self, logits_real: Tensor, logits_fake: Tensor) -> list[Tensor]:
        return [logits_real.mean() - logits_fake.mean()]
