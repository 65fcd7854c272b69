"""The paper's objectives, computed on D's logits l (D(x) = sigmoid(l)) so that they stay finite.

V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]         (Goodfellow et al. 2014, eq. 1)
log D = log sigmoid(l) = -softplus(-l),  log(1 - D) = log sigmoid(-l) = -softplus(l).
"""

from __future__ import annotations

from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor

GeneratorLoss = Callable[[Tensor], Tensor]


def value_function(logits_real: Tensor, logits_fake: Tensor) -> Tensor:
    """V(D, G) on a minibatch: E[log D(x)] + E[log(1 - D(G(z)))]; -log 4 when D = 1/2."""
    return -F.softplus(-logits_real).mean() - F.softplus(logits_fake).mean()


def discriminator_loss(logits_real: Tensor, logits_fake: Tensor) -> Tensor:
    """Binary cross-entropy with real = 1 and fake = 0, summed over the two halves: exactly
    -V(D, G), so minimizing it ascends V; 2 log 2 when D = 1/2."""
    return F.softplus(-logits_real).mean() + F.softplus(logits_fake).mean()


def generator_loss_minimax(logits_fake: Tensor) -> Tensor:
    """E_z[log(1 - D(G(z)))], the paper's G objective; its gradient vanishes while D wins."""
    return -F.softplus(logits_fake).mean()


def generator_loss_nonsaturating(logits_fake: Tensor) -> Tensor:
    """-E_z[log D(G(z))], the paper's suggested alternative: strong gradients early on."""
    return F.softplus(-logits_fake).mean()


GENERATOR_LOSSES: dict[str, GeneratorLoss] = {
    "minimax": generator_loss_minimax,
    "nonsaturating": generator_loss_nonsaturating,
}
