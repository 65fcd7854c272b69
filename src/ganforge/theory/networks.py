"""The small G and D of the 1-D experiments, built from ganforge's MLPs.

G(z) = shift + scale * atanh(z / sqrt 3) + mlp(z) for z uniform on [-sqrt 3, sqrt 3]. The fixed
atanh makes p_g start smooth with unbounded support: with an affine start p_g would be uniform,
with jumps at its edges where D* = p_data / (p_data + p_g) jumps too, and no smooth D could come
within 0.03 of it there. The residual MLP starts at zero, so the initial p_g is known exactly.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganforge.models.mlp import MLPDiscriminator, MLPGenerator

Z_HALF_WIDTH = math.sqrt(3.0)  # the uniform prior's support is [-sqrt 3, sqrt 3]
_EDGE = 1 - 1e-6  # keeps atanh finite at the ends of the support


class ToyGenerator(nn.Module):
    """G: z [B, 1] -> x [B, 1]; strictly monotone at initialisation."""

    def __init__(self, shift: float, scale: float, hidden: tuple[int, ...] = (32, 32)) -> None:
        super().__init__()
        self.shift = nn.Parameter(torch.tensor(float(shift)))
        self.log_scale = nn.Parameter(torch.tensor(math.log(scale)))
        self.residual = MLPGenerator(1, (1,), hidden, activation="tanh", output="linear",
                                     init_range=None)
        nn.init.zeros_(self.residual.output.weight)
        nn.init.zeros_(self.residual.output.bias)

    def forward(self, z: Tensor) -> Tensor:
        base = torch.atanh(z / Z_HALF_WIDTH * _EDGE)
        return self.shift + self.log_scale.exp() * base + self.residual(z)


class ToyDiscriminator(nn.Module):
    """D: x [B, 1] -> logits [B]; a tanh MLP on standardised inputs (D* is smooth in x)."""

    def __init__(self, center: float, width: float, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        self.center, self.width = center, width
        self.mlp = MLPDiscriminator((1,), hidden, activation="tanh", dropout_input=0.0,
                                    dropout_hidden=0.0, init_range=None)

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp((x - self.center) / self.width)

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x)."""
        return torch.sigmoid(self(x))
