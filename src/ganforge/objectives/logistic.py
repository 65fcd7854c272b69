"""The paper's objective (Goodfellow et al. 2014): D is a logistic classifier, D(x) = sigmoid(l),
trained by binary cross-entropy; G descends the minimax loss or its non-saturating variant.

V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]               (eq. 1)
On logits l: log D = -softplus(-l) and log(1 - D) = -softplus(l), finite for every l.
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor

from ganforge.objectives.base import Objective, Statistic


def value_function(logits_real: Tensor, logits_fake: Tensor) -> Tensor:
    """V(D, G) on a minibatch; -log 4 when D = 1/2 everywhere."""
    return -F.softplus(-logits_real).mean() - F.softplus(logits_fake).mean()


class LogisticObjective(Objective):
    """D minimizes binary cross-entropy with real = 1 and fake = 0, which is exactly -V(D, G)."""

    measures_jensen_shannon = True
    statistics = (
        Statistic("value", "V(D, G)", "value function", -math.log(4), "-log 4"),
        Statistic("d_real", "mean D(x)", "discriminator outputs", 0.5, "1/2", (0.0, 1.0)),
        Statistic("d_fake", "mean D(G(z))", "discriminator outputs", 0.5, "1/2", (0.0, 1.0)),
    )

    def discriminator_loss(self, logits_real: Tensor, logits_fake: Tensor) -> Tensor:
        """-V(D, G); 2 log 2 when D = 1/2."""
        return F.softplus(-logits_real).mean() + F.softplus(logits_fake).mean()

    def step_statistics(self, logits_real: Tensor, logits_fake: Tensor) -> list[Tensor]:
        # V before this D update, on its minibatch; then the paper's D(x) on both halves.
        return [value_function(logits_real, logits_fake), logits_real.sigmoid().mean(),
                logits_fake.sigmoid().mean()]


class Minimax(LogisticObjective):
    """G minimizes E_z[log(1 - D(G(z)))], the paper's objective; flat while D wins."""

    name = "minimax"

    def generator_loss(self, logits_fake: Tensor) -> Tensor:
        return -F.softplus(logits_fake).mean()


class NonSaturating(LogisticObjective):
    """G minimizes -E_z[log D(G(z))], the paper's suggested alternative: strong early gradients."""

    name = "nonsaturating"

    def generator_loss(self, logits_fake: Tensor) -> Tensor:
        return F.softplus(-logits_fake).mean()
