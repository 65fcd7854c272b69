"""Gradient penalties on D: R1 on real data (Mescheder et al. 2018) and the WGAN-GP penalty on
interpolates (Gulrajani et al. 2017). Each may run lazily, every N D updates, with its weight
multiplied by N so that the average pull is unchanged (Karras et al. 2020)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

import torch
from torch import Tensor


class Penalty(ABC):
    """A term added to D's objective on the D updates it is due."""

    needs_real_gradient: ClassVar[bool] = False
    """True when the penalty differentiates D's output on the real batch with respect to it."""

    def __init__(self, weight: float, every: int = 1) -> None:
        if weight <= 0 or every < 1:
            raise ValueError(f"penalty weight must be > 0 and every >= 1 (got {weight}, {every})")
        self.weight, self.every = weight, every

    @abstractmethod
    def __call__(self, critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor,
                 logits_real: Tensor) -> Tensor:
        """The penalty (a scalar, already weighted), differentiable in D's weights."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(weight={self.weight}, every={self.every})"


class R1Penalty(Penalty):
    """(gamma / 2) E_real ||grad_x D(x)||^2 on D's logit; makes training locally convergent."""

    needs_real_gradient = True

    def __call__(self, critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor,
                 logits_real: Tensor) -> Tensor:
        # A double backward: the gradient keeps its graph so that D's step differentiates it.
        (grad_x,) = torch.autograd.grad(logits_real.sum(), real, create_graph=True)
        return 0.5 * self.weight * self.every * grad_x.pow(2).flatten(1).sum(1).mean()


class GradientPenalty(Penalty):
    """lambda E_xhat (||grad D(xhat)|| - 1)^2, xhat uniform on the segment between a real and a
    generated sample: the soft 1-Lipschitz constraint of WGAN-GP."""

    def __call__(self, critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor,
                 logits_real: Tensor) -> Tensor:
        shape = (real.shape[0],) + (1,) * (real.dim() - 1)
        mix = torch.rand(shape, device=real.device, dtype=real.dtype)
        interpolates = (mix * real.detach() + (1 - mix) * fake).requires_grad_(True)
        (grad_x,) = torch.autograd.grad(critic(interpolates).sum(), interpolates,
                                        create_graph=True)
        norms = grad_x.flatten(1).norm(dim=1)
        return self.weight * self.every * (norms - 1).pow(2).mean()
