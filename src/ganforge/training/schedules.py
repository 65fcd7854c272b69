"""The paper's SGD schedule: the learning rate divided by a constant at every update, down to a
floor, and momentum rising linearly from its start to its end value (pylearn2's ExponentialDecay
and MomentumAdjustor, as in the paper's MNIST set-up)."""

from __future__ import annotations

import math
from typing import Any

import torch


class DecayAndRamp:
    """Call `step()` after each `optimizer.step()`; it sets lr (and momentum) for the next one."""

    def __init__(self, optimizer: torch.optim.Optimizer, *, lr: float, decay: float,
                 lr_min: float, momentum_start: float | None = None,
                 momentum_end: float | None = None, ramp_steps: int = 0) -> None:
        self.optimizer = optimizer
        self.lr0, self.decay, self.lr_min = lr, decay, lr_min
        self.momentum_start, self.momentum_end = momentum_start, momentum_end
        self.ramp_steps = ramp_steps
        self.updates = 0
        self._apply()

    def lr(self, updates: int | None = None) -> float:
        """The learning rate of update number `updates` (default: the next one)."""
        updates = self.updates if updates is None else updates
        # exp/log rather than decay ** updates, which overflows after ~10^8 updates.
        decayed = self.lr0 * math.exp(-updates * math.log(self.decay))
        return max(decayed, min(self.lr_min, self.lr0))

    def momentum(self) -> float | None:
        if self.momentum_start is None or self.momentum_end is None:
            return None
        progress = 1.0 if self.ramp_steps == 0 else min(1.0, self.updates / self.ramp_steps)
        return self.momentum_start + (self.momentum_end - self.momentum_start) * progress

    def _apply(self) -> None:
        lr, momentum = self.lr(), self.momentum()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
            if momentum is not None:
                group["momentum"] = momentum

    def step(self) -> None:
        self.updates += 1
        self._apply()

    def set_base_lr(self, lr: float) -> None:
        """Change the learning rate the decay starts from (e.g. between phases of a run)."""
        self.lr0 = lr
        self._apply()

    def state_dict(self) -> dict[str, Any]:
        return {"updates": self.updates}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.updates = int(state["updates"])
        self._apply()


def top_k_fraction(epochs_done: int, decay: float, floor: float) -> float:
    """Top-k G updates (Sinha et al. 2020): the fraction of the fake batch G's loss keeps after
    `epochs_done` epochs of the data, decay ** epochs_done but never below `floor`; 1 when
    decay is 1 (off)."""
    if decay >= 1:
        return 1.0
    return max(floor, decay ** epochs_done)
