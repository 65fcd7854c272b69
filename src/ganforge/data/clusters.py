"""Pseudo-labels without labels: the k-means cluster of each training image, for the
self-conditioned GAN (Liu et al. 2020, "Diverse Image Generation via Self-Conditioned GANs").

Conditioning G and D on a cluster id gives G a discrete choice of mode, as class labels do, so
that it need not stretch one connected latent space over disconnected groups of images (the
ambiguous in-between samples that a class-blind G draws). The clusters come from the pixels, not
from any label, so the model stays unsupervised. Liu et al. re-cluster D's features during
training; ganforge clusters once, on pixels, before training starts.
"""

from __future__ import annotations

import numpy as np
import torch
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
