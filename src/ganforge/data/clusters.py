"""Pseudo-labels without labels: the k-means cluster of each training image, for the
self-conditioned GAN (Liu et al. 2020, "Diverse Image Generation via Self-Conditioned GANs").

Conditioning G and D on a cluster id gives G a discrete choice of mode, as class labels do, so
that it need not stretch one connected latent space over disconnected groups of images (the
ambiguous in-between samples that a class-blind G draws). The clusters come from the pixels, not
from any label, so the model stays unsupervised. ganforge clusters the pixels before training
starts; with `model.recluster_every_steps` it clusters again on D's features during training,
as Liu et al. do (`recluster_labels` here, `training/recluster.py` for the schedule).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from torch import Tensor

from ganforge.errors import ConfigError


def kmeans_labels(samples: Tensor, clusters: int, *, seed: int = 0) -> Tensor:
    """The k-means cluster (0..clusters-1, long) of each sample: images [N, C, H, W] as stored
    (uint8 pixels), or toy points [N, D]."""
    if clusters < 2:
        raise ConfigError(f"model.clusters must be >= 2 (got {clusters})")
    if clusters > len(samples):
        raise ConfigError(f"model.clusters ({clusters}) exceeds the {len(samples):,} training "
                          "samples: ask for fewer clusters")
    points = samples.reshape(len(samples), -1).float()
    if samples.dtype == torch.uint8:
        points = points / 255
    fitted = KMeans(n_clusters=clusters, n_init=1, random_state=seed).fit(points.numpy())
    return torch.from_numpy(fitted.labels_.astype(np.int64))


def cluster_shares(labels: Tensor, clusters: int) -> Tensor:
    """Each cluster's share of the samples: the prior that sampling draws clusters from."""
    return torch.bincount(labels, minlength=clusters).double() / len(labels)


def recluster_labels(features: Tensor, previous: Tensor, clusters: int) -> Tensor:
    """Cluster samples again on new `features` [N, F], keeping the numbers of the `previous`
    clusters [N]: k-means starts from each previous cluster's mean feature, and its clusters are
    then renumbered to overlap the previous ones most (a maximum matching of the two), so that
    a network's weights for cluster c go on meaning about the same samples. Deterministic: no
    step draws a random number."""
    points = features.float().numpy()
    counts = torch.bincount(previous, minlength=clusters).numpy()
    sums = torch.zeros(clusters, features.shape[1], dtype=torch.float64)
    starts = sums.index_add_(0, previous, features.double()).numpy()
    filled = counts > 0
    starts[filled] /= counts[filled, None]
    # A cluster with no sample has no mean: start it at the sample farthest from every start so
    # far (as k-means++ would, without its randomness).
    for empty in np.flatnonzero(~filled):
        placed = starts[filled]
        distance = ((points ** 2).sum(1)[:, None] - 2 * points @ placed.T
                    + (placed ** 2).sum(1)[None, :]).min(1)
        starts[empty] = points[distance.argmax()]
        filled[empty] = True
    fitted = KMeans(n_clusters=clusters, init=starts.astype(points.dtype), n_init=1).fit(points)
    new = fitted.labels_.astype(np.int64)
    overlap = np.bincount(previous.numpy() * clusters + new,
                          minlength=clusters * clusters).reshape(clusters, clusters)
    old_ids, new_ids = linear_sum_assignment(overlap, maximize=True)
    renumber = np.empty(clusters, dtype=np.int64)
    renumber[new_ids] = old_ids
    return torch.from_numpy(renumber[new])
