import pytest
import torch

from ganforge.config import ModelConfig
from ganforge.errors import ConfigError
from ganforge.models import DCGANConfig, build_discriminator, build_generator, conv_layout


@pytest.mark.parametrize("size,layout", [(28, (7, 2)), (32, (8, 2)), (64, (8, 3)), (56, (7, 3)),
                                         (8, (8, 0)), (14, (7, 1))])
def test_image_sizes_split_into_base_and_doublings(size, layout):
    assert conv_layout(size) == layout


@pytest.mark.parametrize("size", [10, 12, 20, 0])
def test_other_sizes_are_config_errors(size):
    with pytest.raises(ConfigError, match="7 or 8 times a power of two"):
        conv_layout(size)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32), (1, 8, 8)])
def test_dcgan_shapes_and_ranges(shape):
    config = ModelConfig(arch="dcgan", g_output="tanh",
                         dcgan=DCGANConfig(g_channels=8, d_channels=8))
    G = build_generator(config, shape)
    D = build_discriminator(config, shape)
    x = G(torch.randn(4, 100))
    assert x.shape == (4, *shape)
    assert x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (4,)


def test_batchnorm_in_g_and_spectral_norm_in_d():
    config = ModelConfig(arch="dcgan",
                         dcgan=DCGANConfig(g_channels=8, d_channels=8, d_spectral_norm=True))
    G = build_generator(config, (1, 28, 28))
    D = build_discriminator(config, (1, 28, 28))
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in G.modules())
    assert not any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))
                   for m in D.modules())
    assert any("parametrizations.weight" in name for name, _ in D.named_parameters())
    D(G(torch.randn(4, 100))).sum().backward()
    assert all(p.grad is not None for p in G.parameters())


def test_packed_conv_discriminator():
    config = ModelConfig(arch="dcgan", pack=2, dcgan=DCGANConfig(g_channels=8, d_channels=8))
    D = build_discriminator(config, (1, 28, 28))
    assert D(torch.rand(6, 1, 28, 28)).shape == (3,)
