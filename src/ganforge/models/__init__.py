"""G and D networks, noise priors, the augmentation in front of D (`augment`), and the builders
that turn model settings into them.

The architectures live in `registry.ARCHITECTURES`; each brings its own settings section.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from torch import Tensor, nn

from ganforge.errors import ConfigError
from ganforge.models.conditional import (
    ClassNormGenerator,
    ConcatDiscriminator,
    ConditionalGenerator,
    ProjectionDiscriminator,
    is_conditional,
)
from ganforge.models.contract import DiscriminatorNetwork, GeneratorNetwork, NetworkSpec
from ganforge.models.conv import ConvDiscriminator, ConvGenerator, DCGANConfig, conv_layout
from ganforge.models.mlp import MLPConfig, MLPDiscriminator, MLPGenerator
from ganforge.models.priors import Prior
from ganforge.models.registry import ARCHITECTURES, Architecture
from ganforge.models.resnet import ResNetConfig, ResNetDiscriminator, ResNetGenerator

if TYPE_CHECKING:
    from ganforge.config import ModelSettings

# The range of G's output activation, which is also the range real data is scaled to.
OUTPUT_RANGES: dict[str, tuple[float, float] | None] = {
    "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "linear": None}


def output_range(g_output: str, is_image: bool) -> tuple[float, float] | None:
    """The range G produces and real images are scaled to; None leaves toy points as they are."""
    if not is_image:
        return None
    value_range = OUTPUT_RANGES[g_output]
    if value_range is None:
        raise ConfigError("model.g_output linear is for toy points; images need sigmoid or tanh")
    return value_range


def build_prior(config: ModelSettings) -> Prior:
    """p_z as the model settings describe it."""
    return Prior(config.prior, config.noise_dim, config.latent_categories)


def network_spec(config: ModelSettings, sample_shape: tuple[int, ...],
                 pixel_mean: Tensor | None = None) -> NetworkSpec:
    """What the architecture is asked to build for samples of `sample_shape`."""
    return NetworkSpec(noise_dim=build_prior(config).dim, sample_shape=tuple(sample_shape),
                       output=config.g_output, pack=config.pack, pixel_mean=pixel_mean)


def _classes(config: ModelSettings, num_classes: int | None) -> int:
    if num_classes is None or num_classes < 2:
        raise ConfigError("model.conditional needs a labelled data set with at least 2 classes "
                          "(mnist, mnist-5k, fashion-mnist, digits, idx with labels)")
    return num_classes


def build_generator(config: ModelSettings, sample_shape: tuple[int, ...],
                    pixel_mean: Tensor | None = None, num_classes: int | None = None) -> nn.Module:
    """G for samples of `sample_shape`; `pixel_mean` (in [0, 1]) may set a sigmoid output's bias.
    With `model.conditional`, G(z, y) for `num_classes` classes."""
    architecture = ARCHITECTURES[config.arch]
    spec = network_spec(config, sample_shape, pixel_mean)
    if not config.conditional:
        return architecture.build_generator(config.section(), spec)
    classes, width = _classes(config, num_classes), config.class_embedding_dim
    if config.g_conditioning == "batchnorm":
        return ClassNormGenerator(architecture.build_generator(config.section(), spec), classes,
                                  arch=config.arch)
    base = architecture.build_generator(
        config.section(), dataclasses.replace(spec, noise_dim=spec.noise_dim + width))
    return ConditionalGenerator(base, classes, width)


def build_discriminator(config: ModelSettings, sample_shape: tuple[int, ...],
                        num_classes: int | None = None) -> nn.Module:
    """D for samples of `sample_shape`, returning logits; with `model.conditional`, D(x, y)."""
    architecture = ARCHITECTURES[config.arch]
    spec = network_spec(config, sample_shape)
    if not config.conditional:
        return architecture.build_discriminator(config.section(), spec)
    classes = _classes(config, num_classes)
    if config.conditioning == "projection":
        return ProjectionDiscriminator(architecture.build_discriminator(config.section(), spec),
                                       classes)
    # concat: one-hot planes (images) or values (points) stacked after the data's channels.
    widened = (sample_shape[0] + classes, *sample_shape[1:])
    return ConcatDiscriminator(architecture.build_discriminator(
        config.section(), dataclasses.replace(spec, sample_shape=widened)), classes)


__all__ = ["ARCHITECTURES", "Architecture", "ClassNormGenerator", "ConcatDiscriminator",
           "ConditionalGenerator",
           "ProjectionDiscriminator", "is_conditional", "ConvDiscriminator", "ConvGenerator",
           "DCGANConfig",
           "DiscriminatorNetwork", "GeneratorNetwork", "MLPConfig", "MLPDiscriminator",
           "MLPGenerator", "NetworkSpec", "Prior", "build_discriminator", "build_generator",
           "ResNetConfig", "ResNetDiscriminator", "ResNetGenerator",
           "build_prior", "conv_layout", "network_spec", "output_range"]
