import pytest
import torch

from ganforge.data.clusters import cluster_shares, kmeans_labels
from ganforge.errors import ConfigError


def test_kmeans_finds_the_groups_of_images_whatever_their_order():
    torch.manual_seed(0)
    dark = torch.randint(0, 40, (30, 1, 4, 4), dtype=torch.uint8)
    bright = torch.randint(215, 256, (20, 1, 4, 4), dtype=torch.uint8)
    order = torch.randperm(50)
    images = torch.cat([dark, bright])[order]
    group = (torch.arange(50) >= 30).long()[order]
    labels = kmeans_labels(images, 2, seed=0)
    assert labels.dtype == torch.long and labels.shape == (50,)
    # One cluster per group, whichever id k-means gave it.
    assert torch.equal(labels, group) or torch.equal(labels, 1 - group)


def test_toy_points_cluster_too_and_shares_are_the_cluster_frequencies():
    points = torch.cat([torch.zeros(6, 2), torch.full((2, 2), 10.0)])
    labels = kmeans_labels(points, 2, seed=0)
    shares = cluster_shares(labels, 3)
    assert sorted(shares.tolist()) == [0.0, 0.25, 0.75]


@pytest.mark.parametrize("clusters,message", [(1, ">= 2"), (9, "exceeds the 8 training")])
def test_impossible_cluster_counts_are_config_errors(clusters, message):
    with pytest.raises(ConfigError, match=message):
        kmeans_labels(torch.zeros(8, 2), clusters)
