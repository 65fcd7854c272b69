import math

import pytest
import torch

from ganforge.analysis import interpolate, latent_walks
from ganforge.config import RunConfig
from ganforge.models.priors import Prior
from ganforge.sampler import Sampler


def test_slerp_keeps_the_norm_between_equal_norm_ends_and_hits_both_ends():
    start, end = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    path = interpolate(start, end, 5, spherical=True)
    torch.testing.assert_close(path[0], start)
    torch.testing.assert_close(path[-1], end)
    torch.testing.assert_close(path.norm(dim=1), torch.full((5,), 3.0))
    # The midpoint of a quarter circle is at 45 degrees.
    torch.testing.assert_close(path[2], torch.tensor([3 / math.sqrt(2)] * 2))
    straight = interpolate(start, end, 5, spherical=False)
    torch.testing.assert_close(straight[2], torch.tensor([1.5, 1.5]))  # inside the circle


class IdentityNetwork(torch.nn.Module):
    """'G' that shows its noise: the first 4 values of z as a 1x2x2 'image'."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))

    def forward(self, z):
        return z[:, :4].view(-1, 1, 2, 2) + self.weight


@pytest.mark.parametrize("kind", ["gaussian", "uniform"])
def test_walk_rows_run_between_two_prior_draws_and_hold_the_category(kind):
    prior = Prior(kind, 4, categories=3)
    sampler = Sampler(IdentityNetwork(), prior, value_range=None, config=RunConfig(),
                      sample_shape=(1, 2, 2))
    walks = latent_walks(sampler, rows=3, steps=6, seed=5)
    assert walks.shape == (18, 1, 2, 2)
    ends = prior.sample(6, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(walks[0].flatten(), ends[0, :4])
    torch.testing.assert_close(walks[5].flatten(), ends[1, :4])
    torch.testing.assert_close(walks[17].flatten(), ends[5, :4])
