"""The paper's fully connected networks (Goodfellow et al. 2014, MNIST): a ReLU generator with a
sigmoid output and a maxout discriminator with dropout. Widths, depth and pieces are configurable.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganforge.models.layers import Dropout, Maxout


def _activation(name: str) -> nn.Module:
    return {"relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(0.2), "tanh": nn.Tanh()}[name]


def _uniform_init(module: nn.Module, init_range: float | None) -> None:
    """The paper's initialisation: weights U(-r, r), biases 0 (PyTorch's default when r is None)."""
    if init_range is None:
        return
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.uniform_(layer.weight, -init_range, init_range)
            nn.init.zeros_(layer.bias)


class MLPGenerator(nn.Module):
    """G: z [B, noise_dim] -> x [B, *sample_shape] through fully connected layers."""

    def __init__(self, noise_dim: int, sample_shape: tuple[int, ...], hidden: tuple[int, ...],
                 *, activation: str = "relu", batchnorm: bool = False, output: str = "sigmoid",
                 init_range: float | None = 0.05) -> None:
        super().__init__()
        self.sample_shape = sample_shape
        layers: list[nn.Module] = []
        width = noise_dim
        for size in hidden:
            layers.append(nn.Linear(width, size))
            if batchnorm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(_activation(activation))
            width = size
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(width, math.prod(sample_shape))
        self.output_activation = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
                                  "linear": nn.Identity()}[output]
        _uniform_init(self, init_range)

    def forward(self, z: Tensor) -> Tensor:
        x = self.output_activation(self.output(self.hidden(z)))
        return x.view(-1, *self.sample_shape)

    @torch.no_grad()
    def init_output_bias(self, target: Tensor) -> None:
        """Start the output at `target` (e.g. each pixel's mean) before the output activation."""
        self.output.bias.copy_(target.reshape(-1))


class MLPDiscriminator(nn.Module):
    """D: x [B, *sample_shape] -> logits [B // pack]; maxout (or ReLU) hidden layers with dropout.

    With `pack` > 1 (PacGAN, Lin et al. 2018) D sees `pack` samples concatenated and gives one
    logit for the whole pack.
    """

    def __init__(self, sample_shape: tuple[int, ...], hidden: tuple[int, ...], *,
                 activation: str = "maxout", pieces: int = 5, dropout_input: float = 0.2,
                 dropout_hidden: float = 0.5, init_range: float | None = 0.005,
                 pack: int = 1) -> None:
        super().__init__()
        self.pack = pack
        layers: list[nn.Module] = []
        width = math.prod(sample_shape) * pack
        for index, size in enumerate(hidden):
            # The paper drops 20% of the pixels and 50% of each hidden layer's inputs.
            layers.append(Dropout(dropout_input if index == 0 else dropout_hidden))
            if activation == "maxout":
                layers.append(Maxout(width, size, pieces))
            else:
                layers += [nn.Linear(width, size), _activation(activation)]
            width = size
        layers.append(Dropout(dropout_hidden))
        self.features = nn.Sequential(*layers)
        self.logit = nn.Linear(width, 1)
        _uniform_init(self, init_range)

    def forward(self, x: Tensor) -> Tensor:
        """Logits [B // pack]; D(x) = sigmoid(logits)."""
        x = x.reshape(x.shape[0] // self.pack, -1)
        return self.logit(self.features(x)).view(-1)

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x): probability that x came from the data, [B // pack]."""
        return torch.sigmoid(self(x))
