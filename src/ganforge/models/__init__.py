"""G and D networks, noise priors, and the builders that turn a `ModelConfig` into them."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganforge.config import ModelConfig
from ganforge.errors import ConfigError
from ganforge.models.conv import ConvDiscriminator, ConvGenerator, conv_layout
from ganforge.models.mlp import MLPDiscriminator, MLPGenerator
from ganforge.models.priors import Prior

# The range of G's output activation, which is also the range real data is scaled to.
OUTPUT_RANGES: dict[str, tuple[float, float] | None] = {
    "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "linear": None}


def output_range(config: ModelConfig, is_image: bool) -> tuple[float, float] | None:
    """The range G produces and real images are scaled to; None leaves toy points as they are."""
    if not is_image:
        return None
    value_range = OUTPUT_RANGES[config.g_output]
    if value_range is None:
        raise ConfigError("model.g_output linear is for toy points; images need sigmoid or tanh")
    return value_range


def build_prior(config: ModelConfig) -> Prior:
    return Prior(config.prior, config.noise_dim, config.latent_categories)


def _image_dims(sample_shape: tuple[int, ...]) -> tuple[int, int]:
    if len(sample_shape) != 3 or sample_shape[1] != sample_shape[2]:
        raise ConfigError(f"model.arch dcgan needs square images; the data has shape "
                          f"{sample_shape}")
    return sample_shape[0], sample_shape[1]


def build_generator(config: ModelConfig, sample_shape: tuple[int, ...],
                    pixel_mean: Tensor | None = None) -> nn.Module:
    """G for samples of `sample_shape`; `pixel_mean` (in [0, 1]) sets a sigmoid output's bias."""
    if config.arch == "dcgan":
        channels, size = _image_dims(sample_shape)
        return ConvGenerator(build_prior(config).dim, channels, size, width=config.g_channels,
                             output=config.g_output)
    generator = MLPGenerator(build_prior(config).dim, sample_shape, config.g_hidden,
                             activation=config.g_activation, batchnorm=config.g_batchnorm,
                             output=config.g_output, init_range=config.g_init_range)
    if config.g_output_bias_from_data and config.g_output == "sigmoid" and pixel_mean is not None:
        # The paper's trick: G starts by producing the average image, not grey noise.
        generator.init_output_bias(torch.logit(pixel_mean.clamp(1e-3, 1 - 1e-3)))
    return generator


def build_discriminator(config: ModelConfig, sample_shape: tuple[int, ...]) -> nn.Module:
    """D for samples of `sample_shape`, returning logits."""
    if config.arch == "dcgan":
        channels, size = _image_dims(sample_shape)
        return ConvDiscriminator(channels, size, width=config.d_channels,
                                 spectral=config.d_spectral_norm,
                                 dropout_input=config.d_dropout_input, pack=config.pack)
    return MLPDiscriminator(sample_shape, config.d_hidden, activation=config.d_activation,
                            pieces=config.d_pieces, dropout_input=config.d_dropout_input,
                            dropout_hidden=config.d_dropout_hidden,
                            init_range=config.d_init_range, pack=config.pack)


__all__ = ["ConvDiscriminator", "ConvGenerator", "MLPDiscriminator", "MLPGenerator", "Prior",
           "build_discriminator", "build_generator", "build_prior", "conv_layout", "output_range"]
