"""The memorisation check: for a few samples, their nearest training images, in pixels and in
the feature classifier's space; and for many samples, the distance to the nearest training
image, beside the same distance for held-out real images.

A generator that copies its training set draws samples much closer to some training image than
held-out real images are (Webster et al. 2019 search for such near-copies this way); one that
has learnt the distribution sits at about the held-out distances.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ganforge.data import Dataset
from ganforge.metrics.features import TrainedClassifier, predict
from ganforge.metrics.memorisation import k_nearest
from ganforge.sampler import Sampler

SHOWN = 16
NEIGHBOURS = 3
DISTRIBUTION = 1_000
# Ratios of median nearest-training distances (samples / held-out) and what they say.
COPYING_BELOW = 0.5
CLOSE_BELOW = 0.9


@dataclass(frozen=True)
class NeighbourCheck:
    """Nearest training images of `samples` and the two distance distributions."""

    samples: Tensor
    """The shown samples, [n, C, H, W] in [0, 1]."""
    pixel_index: Tensor
    """[n, k] indices into the training images, nearest first (pixel space)."""
    pixel_distance: Tensor
    feature_index: Tensor | None
    """[n, k] nearest in the feature classifier's space (None without a classifier)."""
    feature_distance: Tensor | None
    sample_distances: Tensor
    """Pixel distance from each of many samples to its nearest training image, [m]."""
    held_out_distances: Tensor
    """The same for held-out real images, [m]."""

    @property
    def ratio(self) -> float:
        """Median sample distance over median held-out distance (~1: no copying)."""
        return float(self.sample_distances.median() / self.held_out_distances.median())

    @property
    def near_copies(self) -> float:
        """Share of samples closer to a training image than 99% of held-out images are."""
        threshold = torch.quantile(self.held_out_distances, 0.01)
        return float((self.sample_distances < threshold).float().mean())

    def verdict(self) -> str:
        """The check's reading, in words."""
        ratio, copies = self.ratio, self.near_copies
        numbers = (f"median distance to the nearest training image {ratio:.2f}x the held-out "
                   f"images'; {copies:.1%} of samples closer than 99% of held-out images")
        if ratio < COPYING_BELOW:
            return (f"Copying: the samples sit far closer to training images than held-out "
                    f"real images do ({numbers}). G is reproducing its training set.")
        if ratio < CLOSE_BELOW or copies > 0.05:
            return (f"Closer than held-out images ({numbers}): some samples may be near-copies;"
                    f" look at their neighbours below.")
        return (f"No sign of copying ({numbers}): samples are as far from the training set as "
                f"unseen real images are.")

    def rows(self, train: Tensor) -> Tensor:
        """Images for a grid, one row per shown sample: the sample, its k pixel neighbours, then
        (when computed) its k feature neighbours; [n * (1 + k or 2k), C, H, W] in [0, 1]."""
        blocks = [self.samples[:, None], _images(train, self.pixel_index)]
        if self.feature_index is not None:
            blocks.append(_images(train, self.feature_index))
        return torch.cat(blocks, dim=1).flatten(0, 1)


def _images(train: Tensor, index: Tensor) -> Tensor:
    picked = train[index.flatten()]
    picked = picked.float() / 255 if picked.dtype == torch.uint8 else picked
    return picked.view(*index.shape, *train.shape[1:])


def memorisation_check(sampler: Sampler, dataset: Dataset, *,
                       classifier: TrainedClassifier | None = None, shown: int = SHOWN,
                       neighbours: int = NEIGHBOURS, distribution: int = DISTRIBUTION,
                       seed: int = 0) -> NeighbourCheck:
    """Nearest training images of `shown` samples (pixels; features when a classifier is
    given), and nearest-training distances of `distribution` samples and held-out images."""
    train = dataset.train.flatten(1).float() / 255
    many = sampler.sample(max(shown, distribution), seed=seed)
    samples = many[:shown]
    pixel_distance, pixel_index = k_nearest(samples.flatten(1), train, neighbours)
    feature_distance = feature_index = None
    if classifier is not None:
        train_features = classifier.training_outputs(dataset.train, features=True)
        queries = predict(classifier.network, samples, features=True)
        feature_distance, feature_index = k_nearest(queries, train_features, neighbours)
    held_out = dataset.test[:distribution].flatten(1).float() / 255
    sample_distances = k_nearest(many[:distribution].flatten(1), train, 1)[0][:, 0]
    held_out_distances = k_nearest(held_out, train, 1)[0][:, 0]
    return NeighbourCheck(samples, pixel_index, pixel_distance, feature_index, feature_distance,
                          sample_distances, held_out_distances)
