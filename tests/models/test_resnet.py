import pytest
import torch

from ganforge.config import ModelConfig
from ganforge.errors import ConfigError
from ganforge.models import ResNetConfig, build_discriminator, build_generator
from ganforge.models.resnet import DownBlock, UpBlock


def _config(**section) -> ModelConfig:
    return ModelConfig(arch="resnet", g_output="tanh",
                       resnet=ResNetConfig(**{"g_channels": 8, "d_channels": 8, **section}))


@pytest.mark.parametrize("shape,up_blocks,down_blocks", [((1, 28, 28), 2, 2), ((3, 32, 32), 2, 2),
                                                         ((1, 64, 64), 3, 3)])
def test_one_block_per_doubling_and_the_right_shapes(shape, up_blocks, down_blocks):
    G, D = build_generator(_config(), shape), build_discriminator(_config(), shape)
    assert sum(isinstance(m, UpBlock) for m in G.modules()) == up_blocks
    blocks = [m for m in D.modules() if isinstance(m, DownBlock)]
    assert sum(block.downsample for block in blocks) == down_blocks
    assert len(blocks) == down_blocks + 1  # and one block at the base resolution
    x = G(torch.randn(5, 100))
    assert x.shape == (5, *shape) and x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (5,)
    assert D.embed(x).shape == (5, D.feature_dim) and D.feature_dim == 8


def test_batchnorm_in_g_spectral_norm_on_every_weight_of_d():
    G, D = build_generator(_config(), (1, 28, 28)), build_discriminator(_config(), (1, 28, 28))
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in G.modules())
    assert not any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))
                   for m in D.modules())
    weights = [m for m in D.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    assert weights and all(hasattr(m, "parametrizations") for m in weights)
    plain = build_discriminator(_config(d_spectral_norm=False), (1, 28, 28))
    assert not any(hasattr(m, "parametrizations") for m in plain.modules())


def test_the_blocks_are_residual():
    # With its residual branch's last conv zeroed, a block is its shortcut alone.
    torch.manual_seed(0)
    up = UpBlock(4, 4, upsample=False).eval()
    torch.nn.init.zeros_(up.conv2.weight)
    torch.nn.init.zeros_(up.conv2.bias)
    x = torch.randn(2, 4, 7, 7)
    torch.testing.assert_close(up(x), x)  # identity shortcut
    down = DownBlock(4, 4, downsample=True, first=False, spectral=False)
    torch.nn.init.zeros_(down.conv2.weight)
    torch.nn.init.zeros_(down.conv2.bias)
    pooled = torch.nn.functional.avg_pool2d(x, 2, ceil_mode=True)
    torch.testing.assert_close(down(x), down.shortcut(pooled))
    assert down(x).shape == (2, 4, 4, 4)  # 7 -> 4: the odd border is kept


def test_odd_image_sizes_name_the_architecture():
    with pytest.raises(ConfigError, match="model.arch resnet needs an image size"):
        build_generator(_config(), (1, 20, 20))
    with pytest.raises(ConfigError, match="model.arch resnet needs square images"):
        build_discriminator(_config(), (1, 28, 32))


def test_channel_counts_must_be_positive():
    with pytest.raises(ConfigError, match="model.resnet.g_channels must be >= 1"):
        ResNetConfig(g_channels=0)
