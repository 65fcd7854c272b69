"""The paper's fully connected networks (Goodfellow et al. 2014, MNIST): a ReLU generator with a
sigmoid output and a maxout discriminator with dropout. Widths, depth and pieces are configurable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor, nn

from ganforge.errors import ConfigError
from ganforge.models.contract import NetworkSpec
from ganforge.models.layers import Dropout, Maxout


@dataclass(frozen=True)
class MLPConfig:
    """[model.mlp]: the fully connected G and D; the defaults are the paper's MNIST networks."""

    g_hidden: tuple[int, ...] = (1200, 1200)
    """Widths of G's hidden layers."""
    g_activation: Literal["relu", "leaky_relu", "tanh"] = "relu"
    """G's hidden activation."""
    g_batchnorm: bool = False
    """BatchNorm after each hidden layer of G."""
    g_init_range: float | None = 0.05
    """G's weights start uniform in [-r, r] (paper: 0.05); None: PyTorch's default."""
    g_output_bias_from_data: bool = True
    """Start G's sigmoid output bias at the logit of each pixel's mean training value."""
    d_hidden: tuple[int, ...] = (240, 240)
    """Units per hidden layer of D."""
    d_activation: Literal["maxout", "relu", "leaky_relu"] = "maxout"
    """D's hidden units."""
    d_pieces: int = 5
    """Linear pieces per maxout unit."""
    d_dropout_input: float = 0.2
    """Dropout probability on D's inputs (paper: keep 0.8)."""
    d_dropout_hidden: float = 0.5
    """Dropout probability on D's hidden units (paper: keep 0.5)."""
    d_init_range: float | None = 0.005
    """D's weights start uniform in [-r, r] (paper: 0.005); None: PyTorch's default."""

    def __post_init__(self) -> None:
        for key in ("g_hidden", "d_hidden"):
            widths = getattr(self, key)
            if not widths or min(widths) < 1:
                raise ConfigError(f"model.mlp.{key} must be a non-empty list of widths >= 1 "
                                  f"(got {widths!r})")
        if self.d_pieces < 1:
            raise ConfigError(f"model.mlp.d_pieces must be >= 1 (got {self.d_pieces})")
        for key in ("d_dropout_input", "d_dropout_hidden"):
            if not 0 <= getattr(self, key) < 1:
                raise ConfigError(f"model.mlp.{key} must be in [0, 1) (got {getattr(self, key)})")
        for key in ("g_init_range", "d_init_range"):
            value = getattr(self, key)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ConfigError(f"model.mlp.{key} must be > 0 or None (got {value})")


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
        self.feature_dim = width
        self.logit = nn.Linear(width, 1)
        _uniform_init(self, init_range)

    def embed(self, x: Tensor) -> Tensor:
        """The last hidden layer's features phi(x), [B // pack, feature_dim]."""
        return self.features(x.reshape(x.shape[0] // self.pack, -1))

    def forward(self, x: Tensor) -> Tensor:
        """Logits [B // pack]; D(x) = sigmoid(logits)."""
        return self.logit(self.embed(x)).view(-1)

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x): probability that x came from the data, [B // pack]."""
        return torch.sigmoid(self(x))


def build_generator(config: MLPConfig, spec: NetworkSpec) -> MLPGenerator:
    """The MLP G for `spec`; with a sigmoid output it starts at the data's mean image."""
    generator = MLPGenerator(spec.noise_dim, spec.sample_shape, config.g_hidden,
                             activation=config.g_activation, batchnorm=config.g_batchnorm,
                             output=spec.output, init_range=config.g_init_range)
    if config.g_output_bias_from_data and spec.output == "sigmoid" and spec.pixel_mean is not None:
        # The paper's trick: G starts by producing the average image, not grey noise.
        generator.init_output_bias(torch.logit(spec.pixel_mean.clamp(1e-3, 1 - 1e-3)))
    return generator


def build_discriminator(config: MLPConfig, spec: NetworkSpec) -> MLPDiscriminator:
    """The maxout (or ReLU) D for `spec`."""
    return MLPDiscriminator(spec.sample_shape, config.d_hidden, activation=config.d_activation,
                            pieces=config.d_pieces, dropout_input=config.d_dropout_input,
                            dropout_hidden=config.d_dropout_hidden,
                            init_range=config.d_init_range, pack=spec.pack)
