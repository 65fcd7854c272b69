"""Every registered architecture meets the contract of models/contract.py: a new architecture is
checked here by registering, with no test of its own needed for these properties."""

import dataclasses

import pytest
import torch

from ganforge.config import ModelConfig
from ganforge.models import (
    ARCHITECTURES,
    DiscriminatorNetwork,
    build_discriminator,
    build_generator,
)
from ganforge.models.conv import DCGANConfig

# Small settings per architecture, so that the check runs in milliseconds.
SMALL = {"mlp": {"g_hidden": (16,), "d_hidden": (8,), "d_pieces": 2},
         "dcgan": {"g_channels": 4, "d_channels": 4},
         "resnet": {"g_channels": 4, "d_channels": 4}}


def _config(arch: str, **common) -> ModelConfig:
    section = ARCHITECTURES[arch].config(**SMALL.get(arch, {}))
    return ModelConfig(arch=arch, g_output="tanh", **{arch: section}, **common)


@pytest.mark.parametrize("arch", ARCHITECTURES)
@pytest.mark.parametrize("pack", [1, 2])
def test_g_maps_noise_to_samples_and_d_returns_one_logit_per_pack(arch, pack):
    torch.manual_seed(0)
    config = _config(arch, pack=pack, noise_dim=12)
    shape = (1, 8, 8)
    G, D = build_generator(config, shape), build_discriminator(config, shape)
    assert isinstance(D, DiscriminatorNetwork) and D.pack == pack
    x = G(torch.randn(6, 12))
    assert x.shape == (6, *shape) and x.min() >= -1 and x.max() <= 1
    logits = D(x)
    assert logits.shape == (6 // pack,)
    assert torch.allclose(D.probability(x), torch.sigmoid(logits))


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_d_judges_a_concatenated_batch_as_two_separate_ones(arch):
    # The trainer's one-pass [real; fake] relies on D having no batch-coupled layers.
    torch.manual_seed(0)
    config = _config(arch)
    D = build_discriminator(config, (1, 8, 8)).eval()
    real, fake = torch.randn(4, 1, 8, 8), torch.randn(4, 1, 8, 8)
    together = D(torch.cat([real, fake]))
    torch.testing.assert_close(together, torch.cat([D(real), D(fake)]))


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_gradients_reach_every_parameter(arch):
    torch.manual_seed(0)
    config = _config(arch)
    G, D = build_generator(config, (1, 8, 8)), build_discriminator(config, (1, 8, 8))
    D(G(torch.randn(4, 100))).sum().backward()
    for module in (G, D):
        for name, parameter in module.named_parameters():
            assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_each_architecture_section_has_defaults_for_every_field():
    for architecture in ARCHITECTURES.values():
        assert dataclasses.is_dataclass(architecture.config)
        architecture.config()  # constructible with no arguments
    assert ModelConfig().dcgan == DCGANConfig()
