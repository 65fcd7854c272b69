import math

import torch

from ganforge.models.priors import Prior


def test_uniform_prior_has_unit_variance_on_its_range():
    z = Prior("uniform", 50).sample(4000, generator=torch.Generator().manual_seed(0))
    assert z.shape == (4000, 50)
    assert z.abs().max() <= math.sqrt(3)
    assert abs(z.var().item() - 1) < 0.02 and abs(z.mean().item()) < 0.01


def test_gaussian_prior_is_standard_normal():
    z = Prior("gaussian", 7).sample(100_000, generator=torch.Generator().manual_seed(0))
    assert z.shape == (100_000, 7)
    assert abs(z.mean().item()) < 0.01 and abs(z.std().item() - 1) < 0.01


def test_a_seeded_generator_repeats_its_noise():
    prior = Prior("gaussian", 3)
    first = prior.sample(5, generator=torch.Generator().manual_seed(4))
    second = prior.sample(5, generator=torch.Generator().manual_seed(4))
    assert torch.equal(first, second)


def test_latent_categories_are_one_hot_and_uniform():
    prior = Prior("gaussian", 3, categories=4)
    z = prior.sample(8000, generator=torch.Generator().manual_seed(0))
    assert z.shape == (8000, 7) and prior.dim == 7
    one_hot = z[:, 3:]
    assert torch.equal(one_hot.sum(1), torch.ones(8000))
    assert set(one_hot.unique().tolist()) == {0.0, 1.0}
    shares = one_hot.mean(0)
    assert (shares - 0.25).abs().max() < 0.02


def test_temperature_scales_the_noise_but_not_the_category():
    for kind in ("gaussian", "uniform"):
        prior = Prior(kind, 5, categories=3)
        plain = prior.sample(64, generator=torch.Generator().manual_seed(1))
        cooled = prior.sample(64, generator=torch.Generator().manual_seed(1), temperature=0.5)
        assert torch.allclose(cooled[:, :5], 0.5 * plain[:, :5])
        assert torch.equal(cooled[:, 5:], plain[:, 5:])
