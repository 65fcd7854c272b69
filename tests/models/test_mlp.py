import math

import pytest
import torch

from ganforge.config import ModelConfig
from ganforge.models import MLPConfig, build_discriminator, build_generator
from ganforge.models.layers import Dropout, Maxout
from ganforge.models.mlp import MLPDiscriminator, MLPGenerator


def test_paper_generator_maps_noise_to_images_in_unit_range():
    G = build_generator(ModelConfig(), (1, 28, 28))
    x = G(torch.randn(5, 100))
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= 0 and x.max() <= 1
    widths = [m.out_features for m in G.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [1200, 1200, 784]


def test_paper_discriminator_has_maxout_240x5_and_returns_one_logit_per_sample():
    D = build_discriminator(ModelConfig(), (1, 28, 28))
    maxouts = [m for m in D.modules() if isinstance(m, Maxout)]
    assert [(m.units, m.pieces) for m in maxouts] == [(240, 5), (240, 5)]
    logits = D(torch.rand(7, 1, 28, 28))
    assert logits.shape == (7,)
    probability = D.probability(torch.rand(7, 1, 28, 28))
    assert ((probability > 0) & (probability < 1)).all()


def test_output_bias_starts_at_the_logit_of_each_pixel_mean():
    mean = torch.full((1, 4, 4), 0.25)
    G = build_generator(ModelConfig(mlp=MLPConfig(g_hidden=(8,))), (1, 4, 4), pixel_mean=mean)
    assert torch.allclose(G.output.bias, torch.full((16,), math.log(0.25 / 0.75)))


def test_paper_initialisation_ranges():
    G = MLPGenerator(10, (4,), (32,), init_range=0.05)
    D = MLPDiscriminator((4,), (8,), init_range=0.005)
    assert all(p.abs().max() <= 0.05 for n, p in G.named_parameters() if "weight" in n)
    assert all(p.abs().max() <= 0.005 for n, p in D.named_parameters() if "weight" in n)
    assert G.hidden[0].weight.abs().max() > 0.04  # uniform over the whole range, not tiny


def test_gradients_reach_every_parameter():
    G = MLPGenerator(6, (1, 4, 4), (16, 16), batchnorm=True)
    D = MLPDiscriminator((1, 4, 4), (8, 8), pieces=3)
    D(G(torch.randn(10, 6))).sum().backward()
    for module in (G, D):
        for name, parameter in module.named_parameters():
            assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_maxout_is_the_max_over_each_units_pieces():
    layer = Maxout(3, units=4, pieces=2)
    x = torch.randn(5, 3)
    linear = layer.linear(x).view(5, 2, 4)
    assert torch.equal(layer(x), torch.maximum(linear[:, 0], linear[:, 1]))


def test_dropout_keeps_the_expected_fraction_and_preserves_the_mean():
    torch.manual_seed(0)
    layer = Dropout(0.2)
    x = torch.ones(1000, 1000)
    y = layer(x)
    kept = (y != 0).float().mean().item()
    assert abs(kept - 0.8) < 0.002
    assert abs(y.mean().item() - 1.0) < 0.005
    assert set(torch.unique(y).tolist()) == {0.0, 1.25}
    layer.eval()
    assert torch.equal(layer(x), x)


def test_dropout_rejects_impossible_probabilities():
    with pytest.raises(ValueError):
        Dropout(1.0)


def test_packed_discriminator_judges_groups_of_samples():
    D = MLPDiscriminator((2,), (8,), pack=4)
    assert D(torch.randn(12, 2)).shape == (3,)
