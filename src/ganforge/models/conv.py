"""DCGAN-style convolutional networks (Radford et al. 2016): G upsamples with transposed
convolutions and BatchNorm; D downsamples with strided convolutions and LeakyReLU, optionally
spectrally normalised (Miyato et al. 2018). Optional fully connected layers after z in G and
before D's logit follow InfoGAN's MNIST networks (Chen et al. 2016); without one, D's logit is a
linear function of its last feature map. Image sizes are 7 or 8 times a power of two.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from ganforge.errors import ConfigError
from ganforge.models.contract import NetworkSpec
from ganforge.models.layers import Dropout, MinibatchStdDev


@dataclass(frozen=True)
class DCGANConfig:
    """[model.dcgan]: the DCGAN-style convolutional G and D."""

    g_channels: int = 64
    """Channels of G's last hidden feature map (doubling towards the noise)."""
    d_channels: int = 64
    """Channels of D's first feature map (doubling with depth)."""
    d_spectral_norm: bool = False
    """Spectral normalisation on D's layers (Miyato et al. 2018)."""
    d_dropout_input: float = 0.0
    """Dropout probability on D's input pixels."""
    g_hidden: int = 0
    """Width of a fully connected layer (BatchNorm, ReLU) between z and G's first feature map,
    as in InfoGAN's MNIST networks (Chen et al. 2016); 0 for none."""
    d_hidden: int = 0
    """Width of a fully connected LeakyReLU layer between D's last feature map and its logit;
    0 for none. A conditional D projects the class onto this layer's output."""
    d_minibatch_std: int = 0
    """Group size of a minibatch standard deviation feature after D's last convolution (Karras
    et al. 2018): D sees how much each group of samples differs, which pushes G towards variety.
    0 for none; else >= 2, and the batch size a multiple of it."""

    def __post_init__(self) -> None:
        for key in ("g_channels", "d_channels"):
            if getattr(self, key) < 1:
                raise ConfigError(f"model.dcgan.{key} must be >= 1 (got {getattr(self, key)})")
        for key in ("g_hidden", "d_hidden"):
            if getattr(self, key) < 0:
                raise ConfigError(f"model.dcgan.{key} must be >= 0, 0 for no hidden layer "
                                  f"(got {getattr(self, key)})")
        if self.d_minibatch_std == 1 or self.d_minibatch_std < 0:
            raise ConfigError(f"model.dcgan.d_minibatch_std is a group size: 0 for none, else "
                              f">= 2 (got {self.d_minibatch_std})")
        if not 0 <= self.d_dropout_input < 1:
            raise ConfigError(f"model.dcgan.d_dropout_input must be in [0, 1) "
                              f"(got {self.d_dropout_input})")


def conv_layout(image_size: int, *, arch: str = "dcgan") -> tuple[int, int]:
    """Split an image size into (base, doublings) with base 7 or 8: 28 -> (7, 2), 32 -> (8, 2)."""
    base, doublings = image_size, 0
    while base > 8 and base % 2 == 0:
        base //= 2
        doublings += 1
    if base not in (7, 8):
        raise ConfigError(f"model.arch {arch} needs an image size of 7 or 8 times a power of two "
                          f"(e.g. 28, 32, 56, 64); got {image_size}: set --data.image-size")
    return base, doublings


class ConvGenerator(nn.Module):
    """G: z [B, noise_dim] -> images [B, C, S, S]."""

    def __init__(self, noise_dim: int, channels: int, image_size: int, *, width: int = 64,
                 hidden: int = 0, output: str = "tanh") -> None:
        super().__init__()
        base, doublings = conv_layout(image_size)
        top = width * 2 ** max(doublings - 1, 0)  # channels at the base resolution
        self.base, self.top = base, top
        widths = [noise_dim, *([hidden] if hidden else []), top * base * base]
        project: list[nn.Module] = []
        for fan_in, fan_out in pairwise(widths):
            # No bias: the BatchNorm that follows would cancel it.
            project += [nn.Linear(fan_in, fan_out, bias=False), nn.BatchNorm1d(fan_out), nn.ReLU()]
        self.project = nn.Sequential(*project)
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

    def __init__(self, channels: int, image_size: int, *, width: int = 64, hidden: int = 0,
                 spectral: bool = False, dropout_input: float = 0.0, pack: int = 1,
                 minibatch_std: int = 0) -> None:
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
        if minibatch_std:
            # Last in the stack, and without weights: older checkpoints keep their names.
            layers.append(MinibatchStdDev(minibatch_std))
            in_channels += 1
        self.features = nn.Sequential(*layers)
        self.feature_dim = in_channels * base * base
        self.hidden: nn.Module = nn.Identity()
        if hidden:
            self.hidden = nn.Sequential(normed(nn.Linear(self.feature_dim, hidden)),
                                        nn.LeakyReLU(0.2))
            self.feature_dim = hidden
        self.logit = normed(nn.Linear(self.feature_dim, 1))

    def embed(self, x: Tensor) -> Tensor:
        """D's last hidden features: phi(x), [B // pack, feature_dim]."""
        batch, channels, height, width = x.shape
        x = x.reshape(batch // self.pack, channels * self.pack, height, width)
        return self.hidden(self.features(x).flatten(1))

    def forward(self, x: Tensor) -> Tensor:
        return self.logit(self.embed(x)).view(-1)

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x), [B // pack]."""
        return self.forward(x).sigmoid()


def square_image(sample_shape: tuple[int, ...], *, arch: str = "dcgan") -> tuple[int, int]:
    """(channels, size) of a square image shape; a ConfigError for anything else."""
    if len(sample_shape) != 3 or sample_shape[1] != sample_shape[2]:
        raise ConfigError(f"model.arch {arch} needs square images; the data has shape "
                          f"{list(sample_shape)}")
    return sample_shape[0], sample_shape[1]


def build_generator(config: DCGANConfig, spec: NetworkSpec) -> ConvGenerator:
    channels, size = square_image(spec.sample_shape)
    return ConvGenerator(spec.noise_dim, channels, size, width=config.g_channels,
                         hidden=config.g_hidden, output=spec.output)


def build_discriminator(config: DCGANConfig, spec: NetworkSpec) -> ConvDiscriminator:
    channels, size = square_image(spec.sample_shape)
    return ConvDiscriminator(channels, size, width=config.d_channels, hidden=config.d_hidden,
                             spectral=config.d_spectral_norm,
                             dropout_input=config.d_dropout_input, pack=spec.pack,
                             minibatch_std=config.d_minibatch_std)
