"""Class-conditional G(z, y) and D(x, y) around every registered architecture."""

import dataclasses

import pytest
import torch
from torch.optim.swa_utils import AveragedModel

from ganforge.config import RunConfig, apply_overrides, validate
from ganforge.errors import ConfigError
from ganforge.models import (
    ARCHITECTURES,
    ClassNormGenerator,
    ConcatDiscriminator,
    ProjectionDiscriminator,
    build_discriminator,
    build_generator,
    build_prior,
)
from ganforge.models.conditional import ClassBatchNorm
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


def test_conditioning_refuses_unlabelled_data():
    config = apply_overrides(RunConfig(), {"model.conditional": "true", "data.name": "ring-2d",
                                           "model.g_output": "linear"})
    with pytest.raises(ConfigError, match="ring-2d has none") as error:
        validate(config, (2,), False, None)
    assert "\n" not in str(error.value)


def test_validation_accepts_packing_with_a_conditional_model():
    # It refused the pair before a conditional D gave packs a meaning.
    validate(apply_overrides(RunConfig(), {"model.conditional": "true", "model.pack": "2",
                                           "train.batch_size": "64"}))


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_packed_projection_adds_every_members_class_onto_the_packs_features(arch):
    torch.manual_seed(0)
    config = _config(arch, pack=2, conditional=True, conditioning="projection")
    D = build_discriminator(config, SHAPE, num_classes=4).eval()
    torch.nn.init.normal_(D.class_embedding.weight)
    x, labels = torch.randn(6, *SHAPE), torch.tensor([0, 1, 2, 3, 1, 1])
    phi = D.base.embed(x)  # one row per pack of two
    assert phi.shape[0] == 3
    embedded = D.class_embedding.weight
    pairs = embedded[labels[0::2]] + embedded[labels[1::2]]
    torch.testing.assert_close(D(x, labels), D.base(x) + (pairs * phi).sum(1))
    # The members' order within a pack does not matter; their classes do.
    swapped = labels.view(3, 2).flip(1).reshape(-1)
    torch.testing.assert_close(D(x, swapped), D(x, labels))
    assert not torch.allclose(D(x, (labels + 1) % 4), D(x, labels))


def test_packed_concat_stacks_each_members_planes_with_its_image():
    config = _config("dcgan", pack=2, conditional=True, conditioning="concat")
    D = build_discriminator(config, SHAPE, num_classes=4)
    assert next(D.base.parameters()).shape[1] == 2 * (1 + 4)
    x, labels = torch.randn(6, *SHAPE), torch.tensor([0, 1, 2, 3, 1, 1])
    assert D(x, labels).shape == (3,)


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


def _class_norm_config(arch: str, **common):
    config = _config(arch, noise_dim=12, conditional=True, g_conditioning="batchnorm", **common)
    if arch == "mlp":  # the MLP G has BatchNorm only when asked
        config = dataclasses.replace(config, mlp=dataclasses.replace(config.mlp,
                                                                     g_batchnorm=True))
    return config


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_batchnorm_conditioning_keeps_z_the_only_input_and_depends_on_the_class(arch):
    torch.manual_seed(0)
    G = build_generator(_class_norm_config(arch), SHAPE, num_classes=3)
    assert isinstance(G, ClassNormGenerator) and G.norms
    # Every BatchNorm's affine part moved into a ClassBatchNorm: none keeps a shared one.
    assert not any(isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and module.affine
                   for module in G.base.modules())
    # The base G reads z alone: no class embedding widens its first layer's input.
    first = next(module for module in G.base.modules() if isinstance(module, torch.nn.Linear))
    assert first.in_features == 12
    z, labels = torch.randn(6, 12), torch.tensor([0, 1, 2, 0, 1, 2])
    # At the start every class has the plain BatchNorm's identity affine: the class is unread.
    torch.testing.assert_close(G(z, labels), G(z, (labels + 1) % 3))
    for norm in G.norms:
        torch.nn.init.normal_(norm.gain.weight)
    x = G(z, labels)
    assert x.shape == (6, *SHAPE)
    assert not torch.allclose(x, G(z, (labels + 1) % 3))
    x.sum().backward()
    for name, parameter in G.named_parameters():
        assert parameter.grad is not None, f"{name} got no gradient"
    assert all(norm.labels is None for norm in G.norms), "no batch's labels are kept"


def test_class_batchnorm_is_a_per_class_affine_on_the_batch_normalised_input():
    torch.manual_seed(0)
    norm = ClassBatchNorm(torch.nn.BatchNorm2d(3, eps=1e-3), num_classes=2)
    torch.nn.init.normal_(norm.gain.weight)
    torch.nn.init.normal_(norm.bias.weight)
    x, labels = torch.randn(4, 3, 5, 5), torch.tensor([0, 1, 1, 0])
    norm.labels = labels
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    xhat = (x - mean) / torch.sqrt(var + 1e-3)
    expected = (xhat * norm.gain.weight[labels][:, :, None, None]
                + norm.bias.weight[labels][:, :, None, None])
    torch.testing.assert_close(norm(x), expected)
    norm.labels = None
    with pytest.raises(RuntimeError, match="needs its labels"):
        norm(x)


def test_batchnorm_conditioning_survives_the_ema_copy():
    # AveragedModel deep-copies G: the copy's norms must be the copy's own layers.
    G = build_generator(_class_norm_config("dcgan"), SHAPE, num_classes=3).eval()
    ema = AveragedModel(G)
    assert all(a is not b for a, b in zip(ema.module.norms, G.norms, strict=True))
    z, labels = torch.randn(4, 12), torch.tensor([0, 1, 2, 0])
    torch.testing.assert_close(ema(z, labels), G(z, labels))


def test_batchnorm_conditioning_refuses_a_g_without_batchnorm_and_an_unconditional_run():
    with pytest.raises(ConfigError, match="mlp G has none") as error:
        build_generator(_config("mlp", conditional=True, g_conditioning="batchnorm"), SHAPE,
                        num_classes=3)
    assert "\n" not in str(error.value)
    config = apply_overrides(RunConfig(), {"model.g_conditioning": "batchnorm"})
    with pytest.raises(ConfigError, match="needs --model.conditional true"):
        validate(config)
