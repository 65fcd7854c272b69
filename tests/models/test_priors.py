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
