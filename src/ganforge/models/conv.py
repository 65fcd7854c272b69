"""DCGAN-style convolutional networks (Radford et al. 2016): G upsamples with transposed
convolutions and BatchNorm; D downsamples with strided convolutions and LeakyReLU, optionally
spectrally normalised (Miyato et al. 2018). Image sizes are 7 or 8 times a power of two.
"""

from __future__ import annotations

from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from ganforge.errors import ConfigError
from ganforge.models.layers import Dropout


def conv_layout(image_size: int) -> tuple[int, int]:
    """Split an image size into (base, doublings) with base 7 or 8: 28 -> (7, 2), 32 -> (8, 2)."""
    base, doublings = image_size, 0
    while base > 8 and base % 2 == 0:
        base //= 2
        doublings += 1
    if base not in (7, 8):
        raise ConfigError(f"model.arch dcgan needs an image size of 7 or 8 times a power of two "
                          f"(e.g. 28, 32, 56, 64); got {image_size}: set --data.image-size")
    return base, doublings


class ConvGenerator(nn.Module):
    """G: z [B, noise_dim] -> images [B, C, S, S]."""

    def __init__(self, noise_dim: int, channels: int, image_size: int, *, width: int = 64,
                 output: str = "tanh") -> None:
        super().__init__()
        base, doublings = conv_layout(image_size)
        top = width * 2 ** max(doublings - 1, 0)  # channels at the base resolution
        self.base, self.top = base, top
        self.project = nn.Sequential(
            nn.Linear(noise_dim, top * base * base, bias=False),
            nn.BatchNorm1d(top * base * base),
            nn.ReLU(),
        )
        blocks: list[nn.Module] = []
        in_channels = top
        for index in range(doublings):
            last = index == doublings - 1
            out_channels = channels if last else in_channels // 2
            # Kernel 4, stride 2, padding 1 doubles height and width exactly.
            blocks.append(nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=last))
            if not last:
                blocks += [nn.BatchNorm2d(out_channels), nn.ReLU()]
            in_channels = out_channels
        if doublings == 0:
            blocks.append(nn.Conv2d(in_channels, channels, 3, 1, 1))
        self.upsample = nn.Sequential(*blocks)
        self.output_activation = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
                                  "linear": nn.Identity()}[output]

    def forward(self, z: Tensor) -> Tensor:
        x = self.project(z).view(-1, self.top, self.base, self.base)
        return self.output_activation(self.upsample(x))


class ConvDiscriminator(nn.Module):
    """D: images [B, C, S, S] -> logits [B // pack]."""

    def __init__(self, channels: int, image_size: int, *, width: int = 64,
                 spectral: bool = False, dropout_input: float = 0.0, pack: int = 1) -> None:
        super().__init__()
        base, doublings = conv_layout(image_size)
        self.pack = pack

        def normed(layer: nn.Module) -> nn.Module:
            return spectral_norm(layer) if spectral else layer

        layers: list[nn.Module] = [Dropout(dropout_input)]
        in_channels = channels * pack  # PacGAN: a pack is stacked along the channel axis
        out_channels = width
        for _ in range(doublings):
            layers += [normed(nn.Conv2d(in_channels, out_channels, 4, 2, 1)), nn.LeakyReLU(0.2)]
            in_channels, out_channels = out_channels, out_channels * 2
        if doublings == 0:
            layers += [normed(nn.Conv2d(in_channels, out_channels, 3, 1, 1)), nn.LeakyReLU(0.2)]
            in_channels = out_channels
        self.features = nn.Sequential(*layers)
        self.logit = normed(nn.Linear(in_channels * base * base, 1))

    def forward(self, x: Tensor) -> Tensor:
        batch, channels, height, width = x.shape
        x = x.reshape(batch // self.pack, channels * self.pack, height, width)
        return self.logit(self.features(x).flatten(1)).view(-1)

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x), [B // pack]."""
        return self.forward(x).sigmoid()
