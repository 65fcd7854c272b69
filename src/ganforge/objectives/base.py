"""The contract every objective meets: D's loss, G's loss, its penalties, and the statistics it
logs. The trainer calls these and knows nothing of their mathematics."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import torch
from torch import Tensor

from ganforge.objectives.penalties import Penalty

Critic = Callable[[Tensor], Tensor]
"""D as the objective sees it: samples [B, ...] -> float32 logits (or scores) [B // pack]."""


@dataclass(frozen=True)
class Statistic:
    """One number an objective logs every step, and how `ganforge plot` draws it."""

    key: str
    label: str
    panel: str
    """Statistics with the same panel title share a plot."""
    equilibrium: float | None = None
    """Where the statistic settles when p_g = p_data (a reference line); None: no such value."""
    equilibrium_label: str = ""
    value_range: tuple[float, float] | None = None
    """Bounds the statistic cannot leave (a probability's [0, 1]); the plot's y range."""


class DiscriminatorTerms(NamedTuple):
    """What one D update computed: the objective to descend (loss plus due penalties), and the
    detached loss and outputs that statistics are made of."""

    objective: Tensor
    loss: Tensor
    logits_real: Tensor
    logits_fake: Tensor


class Objective(ABC):
    """A GAN objective: what D descends, what G descends, and what is worth logging."""

    name: ClassVar[str]
    """The registry key (`--loss.name`)."""
    statistics: ClassVar[tuple[Statistic, ...]] = ()
    """Logged beside d_loss and g_loss, in the order `step_statistics` returns them."""
    measures_jensen_shannon: ClassVar[bool] = False
    """True when D(x) = sigmoid(logit) and V(D*, G) = -log 4 + 2 JSD (the paper's theory holds:
    the theory lab's checks apply)."""
    default_gp_weight: ClassVar[float] = 0.0
    """The gradient-penalty weight used when `loss.gp_weight` is left unset."""

    def __init__(self, penalties: Sequence[Penalty] = ()) -> None:
        self.penalties = tuple(penalties)

    @abstractmethod
    def discriminator_loss(self, logits_real: Tensor, logits_fake: Tensor) -> Tensor:
        """D's loss on its outputs for a real and a generated minibatch (a scalar)."""

    @abstractmethod
    def generator_loss(self, logits_fake: Tensor) -> Tensor:
        """G's loss on D's outputs for generated samples (a scalar)."""

    @abstractmethod
    def step_statistics(self, logits_real: Tensor, logits_fake: Tensor) -> list[Tensor]:
        """Scalars for `statistics`, in order, as tensors (no host sync)."""

    def discriminator_terms(self, critic: Critic, real: Tensor, fake: Tensor,
                            update: int) -> DiscriminatorTerms:
        """D's loss on [real; fake] plus every penalty due at D update number `update`."""
        due = [penalty for penalty in self.penalties if update % penalty.every == 0]
        if any(penalty.needs_real_gradient for penalty in due):
            real.requires_grad_(True)
        # One D pass over [real; fake]: ganforge's discriminators have no batch-coupled layers
        # (models.contract), so this is two passes' mathematics with one larger matmul per layer.
        logits = critic(torch.cat([real, fake.detach()]))
        logits_real, logits_fake = logits.split(logits.shape[0] // 2)
        loss = self.discriminator_loss(logits_real, logits_fake)
        objective = loss
        for penalty in due:
            objective = objective + penalty(critic, real, fake.detach(), logits_real)
        return DiscriminatorTerms(objective, loss.detach(), logits_real.detach(),
                                  logits_fake.detach())

    def __repr__(self) -> str:
        extra = f", penalties={list(self.penalties)}" if self.penalties else ""
        return f"{type(self).__name__}({self.name!r}{extra})"
