"""The hinge objective (Lim & Ye 2017; Miyato et al. 2018): D is a margin classifier on its raw
output l, G raises D's output on its samples.

D: E_x[max(0, 1 - l(x))] + E_z[max(0, 1 + l(G(z)))]      G: -E_z[l(G(z))]
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from ganforge.objectives.base import Objective, Statistic


class Hinge(Objective):
    name = "hinge"
    statistics = (
        Statistic("logit_real", "mean D output, real", "discriminator outputs"),
        Statistic("logit_fake", "mean D output, generated", "discriminator outputs"),
        Statistic("inside_margin", "share inside the margin", "margin",
                  value_range=(0.0, 1.0)),
    )

    def discriminator_loss(self, logits_real: Tensor, logits_fake: Tensor) -> Tensor:
        return F.relu(1 - logits_real).mean() + F.relu(1 + logits_fake).mean()

    def generator_loss(self, logits_fake: Tensor) -> Tensor:
        return -logits_fake.mean()

    def step_statistics(self, logits_real: Tensor, logits_fake: Tensor) -> list[Tensor]:
        # Samples still inside the margin are the only ones that move D.
        inside = ((logits_real < 1).float().sum() + (logits_fake > -1).float().sum()) \
            / (logits_real.numel() + logits_fake.numel())
        return [logits_real.mean(), logits_fake.mean(), inside]
