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


def test_hidden_layers_widen_g_and_d_and_carry_gradients():
    config = ModelConfig(arch="dcgan", dcgan=DCGANConfig(g_channels=8, d_channels=8,
                                                         g_hidden=16, d_hidden=24))
    G = build_generator(config, (1, 28, 28))
    D = build_discriminator(config, (1, 28, 28))
    # G: z(100) -> 16 -> the 16 x 7 x 7 first feature map; D: 16 x 7 x 7 features -> 24 -> logit.
    linears = [m for m in G.project if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [(16, 100), (16 * 7 * 7, 16)]
    assert D.feature_dim == 24
    assert D.embed(torch.rand(5, 1, 28, 28)).shape == (5, 24)
    D(G(torch.randn(4, 100))).sum().backward()
    for network in (G, D):
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in network.parameters())


def test_no_hidden_layers_keeps_the_parameter_names_of_older_checkpoints():
    config = ModelConfig(arch="dcgan", dcgan=DCGANConfig(g_channels=8, d_channels=8))
    G = build_generator(config, (1, 28, 28))
    D = build_discriminator(config, (1, 28, 28))
    assert [k for k in G.state_dict() if k.startswith("project.")] == [
        "project.0.weight", "project.1.weight", "project.1.bias", "project.1.running_mean",
        "project.1.running_var", "project.1.num_batches_tracked"]
    assert sorted(D.state_dict()) == ["features.1.bias", "features.1.weight",
                                      "features.3.bias", "features.3.weight",
                                      "logit.bias", "logit.weight"]


@pytest.mark.parametrize("key", ["g_hidden", "d_hidden"])
def test_negative_hidden_widths_are_config_errors(key):
    with pytest.raises(ConfigError, match=f"model.dcgan.{key} must be >= 0"):
        DCGANConfig(**{key: -1})


def test_minibatch_std_widens_d_features_by_one_map_and_keeps_parameter_names():
    plain = ModelConfig(arch="dcgan", dcgan=DCGANConfig(g_channels=8, d_channels=8))
    grouped = ModelConfig(arch="dcgan", dcgan=DCGANConfig(g_channels=8, d_channels=8,
                                                          d_minibatch_std=4))
    D_plain = build_discriminator(plain, (1, 28, 28))
    D = build_discriminator(grouped, (1, 28, 28))
    # 16 x 7 x 7 features, plus one 7 x 7 map of the group's spread.
    assert D.feature_dim == D_plain.feature_dim + 7 * 7
    assert sorted(D.state_dict()) == sorted(D_plain.state_dict())
    G = build_generator(grouped, (1, 28, 28))
    real, fake = torch.rand(8, 1, 28, 28) * 2 - 1, G(torch.randn(8, 100))
    torch.testing.assert_close(D(torch.cat([real, fake])), torch.cat([D(real), D(fake)]))
    D(fake).sum().backward()
    assert all(p.grad is not None for p in G.parameters())
