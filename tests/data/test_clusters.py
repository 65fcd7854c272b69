import pytest
import torch

from ganforge.data.clusters import cluster_shares, kmeans_labels, recluster_labels
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


def _three_blobs(per_blob: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
    """Features [3 * per_blob, 2] in three tight, far-apart groups, and each one's group."""
    torch.manual_seed(1)
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    group = torch.arange(3).repeat_interleave(per_blob)
    return centres[group] + 0.3 * torch.randn(len(group), 2), group


def test_reclustering_refines_the_clusters_and_keeps_their_numbers():
    features, group = _three_blobs()
    numbering = torch.tensor([2, 0, 1])  # the previous clustering's name for each group
    previous = numbering[group].clone()
    wrong = torch.arange(0, len(previous), 7)  # one sample in seven sits in another cluster
    previous[wrong] = (previous[wrong] + 1) % 3
    labels = recluster_labels(features, previous, 3)
    assert labels.dtype == torch.long and labels.shape == previous.shape
    # Every sample joins its group, and each group keeps the number most of it had before.
    assert torch.equal(labels, numbering[group])


def test_reclustering_numbers_the_clusters_by_their_largest_overlap():
    # A previous clustering that cut across the groups: each new cluster takes the old number
    # that most of its samples had (12 of 40 against 28 of 40 decides group 0's).
    features, group = _three_blobs()
    previous = group.clone()
    previous[:28] = 1
    previous[40:68] = 0
    labels = recluster_labels(features, previous, 3)
    assert torch.equal(labels, torch.tensor([1, 0, 2]).repeat_interleave(40))


def test_a_cluster_left_empty_starts_again_at_a_sample():
    features, group = _three_blobs()
    previous = (group == 2).long()  # cluster 2 holds nothing
    labels = recluster_labels(features, previous, 3)
    assert sorted(torch.bincount(labels, minlength=3).tolist()) == [40, 40, 40]
    assert (labels[group == 2] == 1).all()  # the group that was all of cluster 1 keeps it
