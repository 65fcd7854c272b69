"""Class-conditional G(z, y) and D(x, y) around every registered architecture."""

import dataclasses

import pytest
import torch

from ganforge.config import RunConfig, apply_overrides, validate
from ganforge.errors import ConfigError
from ganforge.models import (
    ARCHITECTURES,
    ConcatDiscriminator,
    ProjectionDiscriminator,
    build_discriminator,
    build_generator,
    build_prior,
)
from ganforge.sampler import Sampler, class_blocks
from tests.models.test_contract import _config

SHAPE = (1, 8, 8)


@pytest.mark.parametrize("arch", ARCHITECTURES)
@pytest.mark.parametrize("conditioning", ["projection", "concat"])
def test_conditional_networks_take_labels_and_depend_on_them(arch, conditioning):
    torch.manual_seed(0)
    config = _config(arch, noise_dim=12, conditional=True, conditioning=conditioning)
    G = build_generator(config, SHAPE, num_classes=3)
    D = build_discriminator(config, SHAPE, num_classes=3)
    z, labels = torch.randn(6, 12), torch.tensor([0, 1, 2, 0, 1, 2])
    x = G(z, labels)
    assert x.shape == (6, *SHAPE)
    # The same noise with another class gives another sample.
    assert not torch.allclose(x, G(z, (labels + 1) % 3))
    if conditioning == "projection":
        torch.nn.init.normal_(D.class_embedding.weight)  # it starts at zero: the plain D
    logits = D(x, labels)
    assert logits.shape == (6,)
    assert not torch.allclose(logits, D(x, (labels + 1) % 3))
    (logits.sum() + G(z, labels).sum()).backward()
    for module in (G, D):
        for name, parameter in module.named_parameters():
            assert parameter.grad is not None, f"{type(module).__name__}.{name} got no gradient"


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_projection_starts_as_the_unconditional_d_and_adds_embed_dot_phi(arch):
    torch.manual_seed(0)
    config = _config(arch, conditional=True, conditioning="projection")
    D = build_discriminator(config, SHAPE, num_classes=4).eval()
    assert isinstance(D, ProjectionDiscriminator)
    x, labels = torch.randn(5, *SHAPE), torch.tensor([0, 1, 2, 3, 1])
    torch.testing.assert_close(D(x, labels), D.base(x))
    torch.nn.init.normal_(D.class_embedding.weight)
    expected = D.base(x) + (D.class_embedding.weight[labels] * D.base.embed(x)).sum(1)
    torch.testing.assert_close(D(x, labels), expected)


def test_concat_adds_one_hot_planes_as_input_channels():
    config = _config("dcgan", conditional=True, conditioning="concat")
    D = build_discriminator(config, SHAPE, num_classes=4)
    assert isinstance(D, ConcatDiscriminator)
    first = next(D.base.parameters())  # the first conv sees 1 + 4 channels
    assert first.shape[1] == 1 + 4


def test_conditioning_refuses_unlabelled_data_and_packing():
    config = apply_overrides(RunConfig(), {"model.conditional": "true", "data.name": "ring-2d",
                                           "model.g_output": "linear"})
    with pytest.raises(ConfigError, match="ring-2d has none") as error:
        validate(config, (2,), False, None)
    assert "\n" not in str(error.value)
    with pytest.raises(ConfigError, match="model.pack 1"):
        validate(apply_overrides(config, {"model.pack": "2", "train.batch_size": "64"}))


def test_sampler_draws_the_classes_asked_for_and_checks_them():
    torch.manual_seed(0)
    config = _config("mlp", noise_dim=6, conditional=True)
    run_config = RunConfig(model=config)
    G = build_generator(config, SHAPE, num_classes=3)
    sampler = Sampler(G, build_prior(config), value_range=(-1.0, 1.0), config=run_config,
                      sample_shape=SHAPE, num_classes=3)
    assert class_blocks(6, 3).tolist() == [0, 0, 1, 1, 2, 2]
    assert sampler.check_labels(None, 4).tolist() == [0, 1, 2, 0]
    sevens = sampler.sample(4, seed=1, labels=2)
    z = build_prior(config).sample(4, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(sevens, sampler.decode(z, torch.full((4,), 2)))
    with pytest.raises(ConfigError, match="class must be in 0..2"):
        sampler.sample(2, labels=3)
    plain = Sampler(build_generator(_config("mlp", noise_dim=6), SHAPE), build_prior(config),
                    value_range=(-1.0, 1.0), config=run_config, sample_shape=SHAPE)
    with pytest.raises(ConfigError, match="not class-conditional"):
        plain.sample(2, labels=1)


def test_projection_reads_the_dcgan_hidden_layer():
    config = _config("dcgan", noise_dim=12, conditional=True, conditioning="projection")
    config = dataclasses.replace(config, dcgan=dataclasses.replace(config.dcgan, d_hidden=20))
    D = build_discriminator(config, SHAPE, num_classes=3)
    assert D.class_embedding.weight.shape == (3, 20)
    assert D(torch.rand(4, *SHAPE), torch.tensor([0, 1, 2, 0])).shape == (4,)
