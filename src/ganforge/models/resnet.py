"""Residual G and D in the style of SNGAN (Miyato et al. 2018; the blocks of Gulrajani et al.
2017): G stacks upsampling residual blocks with BatchNorm; D stacks downsampling residual blocks
with every convolution and the last linear layer spectrally normalised, then sums its last
feature map over space. Image sizes are 7 or 8 times a power of two, as for `dcgan` (28, 32, 64).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from ganforge.errors import ConfigError
from ganforge.models.contract import NetworkSpec
from ganforge.models.conv import conv_layout, square_image


@dataclass(frozen=True)
class ResNetConfig:
    """[model.resnet]: SNGAN-style residual G and D."""

    g_channels: int = 64
    """Channels of every residual block in G."""
    d_channels: int = 64
    """Channels of every residual block in D (also the width of phi(x))."""
    d_spectral_norm: bool = True
    """Spectral normalisation on D's convolutions and linear layer (SNGAN's D)."""

    def __post_init__(self) -> None:
        for key in ("g_channels", "d_channels"):
            if getattr(self, key) < 1:
                raise ConfigError(f"model.resnet.{key} must be >= 1 (got {getattr(self, key)})")


class UpBlock(nn.Module):
    """BN - ReLU - (2x nearest upsample) - conv3 - BN - ReLU - conv3, plus a shortcut that is
    the upsampled input through a 1x1 conv (identity when nothing changes)."""

    def __init__(self, in_channels: int, out_channels: int, *, upsample: bool) -> None:
        super().__init__()
        self.upsample = upsample
        self.norm1, self.norm2 = nn.BatchNorm2d(in_channels), nn.BatchNorm2d(out_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.shortcut = (nn.Conv2d(in_channels, out_channels, 1)
                         if in_channels != out_channels or upsample else nn.Identity())

    def _up(self, x: Tensor) -> Tensor:
        return F.interpolate(x, scale_factor=2, mode="nearest") if self.upsample else x

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv1(self._up(F.relu(self.norm1(x))))
        h = self.conv2(F.relu(self.norm2(h)))
        return h + self.shortcut(self._up(x))


class DownBlock(nn.Module):
    """(ReLU) - conv3 - ReLU - conv3 - (2x2 average pool), plus a shortcut (1x1 conv, pooled).
    The first block of D skips the leading ReLU, which would clip the raw pixels."""

    def __init__(self, in_channels: int, out_channels: int, *, downsample: bool, first: bool,
                 spectral: bool) -> None:
        super().__init__()

        def normed(layer: nn.Module) -> nn.Module:
            return spectral_norm(layer) if spectral else layer

        self.downsample, self.first = downsample, first
        self.conv1 = normed(nn.Conv2d(in_channels, out_channels, 3, padding=1))
        self.conv2 = normed(nn.Conv2d(out_channels, out_channels, 3, padding=1))
        self.shortcut = (normed(nn.Conv2d(in_channels, out_channels, 1))
                         if in_channels != out_channels or downsample else nn.Identity())

    def _down(self, x: Tensor) -> Tensor:
        # ceil_mode: odd sizes (7 -> 4) keep their border row and column.
        return F.avg_pool2d(x, 2, ceil_mode=True) if self.downsample else x

    def forward(self, x: Tensor) -> Tensor:
        h = x if self.first else F.relu(x)
        h = self.conv2(F.relu(self.conv1(h)))
        # Pooling and a 1x1 conv commute; pooling first makes the conv four times cheaper.
        return self._down(h) + self.shortcut(self._down(x))


class ResNetGenerator(nn.Module):
    """G: z [B, noise_dim] -> linear to [width, base, base] -> one upsampling block per doubling
    -> BN - ReLU - conv3 - output activation."""

    def __init__(self, noise_dim: int, channels: int, image_size: int, *, width: int = 64,
                 output: str = "tanh") -> None:
        super().__init__()
        base, doublings = conv_layout(image_size, arch="resnet")
        self.base, self.width = base, width
        self.project = nn.Linear(noise_dim, width * base * base)
        # At least one block, so that an 8x8 G is still residual.
        self.blocks = nn.Sequential(*(UpBlock(width, width, upsample=True)
                                      for _ in range(doublings))
                                    or [UpBlock(width, width, upsample=False)])
        self.to_image = nn.Sequential(nn.BatchNorm2d(width), nn.ReLU(),
                                      nn.Conv2d(width, channels, 3, padding=1))
        self.output_activation = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
                                  "linear": nn.Identity()}[output]

    def forward(self, z: Tensor) -> Tensor:
        x = self.project(z).view(-1, self.width, self.base, self.base)
        return self.output_activation(self.to_image(self.blocks(x)))


class ResNetDiscriminator(nn.Module):
    """D: images [B, C, S, S] -> one downsampling block per doubling, then one block at the base
    resolution -> ReLU -> sum over space = phi(x) [B // pack, width] -> linear logit."""

    def __init__(self, channels: int, image_size: int, *, width: int = 64,
                 spectral: bool = True, pack: int = 1) -> None:
        super().__init__()
        _, doublings = conv_layout(image_size, arch="resnet")
        self.pack = pack
        in_channels = channels * pack  # PacGAN: a pack is stacked along the channel axis
        blocks = []
        for index in range(doublings + 1):
            blocks.append(DownBlock(in_channels, width, downsample=index < doublings,
                                    first=index == 0, spectral=spectral))
            in_channels = width
        self.blocks = nn.Sequential(*blocks)
        self.feature_dim = width
        linear = nn.Linear(width, 1)
        self.logit = spectral_norm(linear) if spectral else linear

    def embed(self, x: Tensor) -> Tensor:
        """phi(x): the last feature map after ReLU, summed over space, [B // pack, width]."""
        batch, channels, height, width = x.shape
        x = x.reshape(batch // self.pack, channels * self.pack, height, width)
        return F.relu(self.blocks(x)).sum(dim=(2, 3))

    def forward(self, x: Tensor) -> Tensor:
        return self.logit(self.embed(x)).view(-1)

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x), [B // pack]."""
        return self.forward(x).sigmoid()


def build_generator(config: ResNetConfig, spec: NetworkSpec) -> ResNetGenerator:
    channels, size = square_image(spec.sample_shape, arch="resnet")
    return ResNetGenerator(spec.noise_dim, channels, size, width=config.g_channels,
                           output=spec.output)


def build_discriminator(config: ResNetConfig, spec: NetworkSpec) -> ResNetDiscriminator:
    channels, size = square_image(spec.sample_shape, arch="resnet")
    return ResNetDiscriminator(channels, size, width=config.d_channels,
                               spectral=config.d_spectral_norm, pack=spec.pack)
