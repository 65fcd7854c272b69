"""Does G copy its training set? The distance from each generated image to its nearest training
image, in pixels, against the same distance for held-out real images. A generator that memorises
sits far below the held-out distances (ratio << 1); one that has learnt the distribution sits
near them (ratio ~ 1). Registered as `memorisation` (added as the recipe for a new metric)."""

from __future__ import annotations

import torch
from torch import Tensor

from ganforge.metrics.context import EvaluationContext, Metric, MetricResult
from ganforge.metrics.keys import MEMORISATION_RATIO, NEAREST_TRAIN_DISTANCE

CHUNK = 1_024


def nearest_distances(queries: Tensor, reference: Tensor, *, chunk_size: int = CHUNK) -> Tensor:
    """Euclidean distance from each query row [N, D] to its nearest reference row [M, D], [N].

    Chunked over the queries, so memory stays at chunk_size x M.
    """
    queries, reference = queries.double(), reference.double()
    reference_sq = reference.pow(2).sum(1)
    nearest = []
    for start in range(0, len(queries), chunk_size):
        chunk = queries[start:start + chunk_size]
        # ||q - r||^2 = ||q||^2 - 2 q.r + ||r||^2, one matmul per chunk; clamp float rounding.
        squared = chunk.pow(2).sum(1, keepdim=True) - 2 * chunk @ reference.T + reference_sq
        nearest.append(squared.amin(1).clamp_min(0).sqrt())
    return torch.cat(nearest).float()


def memorisation(samples: Tensor, train: Tensor, held_out: Tensor) -> tuple[dict[str, float],
                                                                               dict[str, float]]:
    """(generator values, held-out floor): median nearest-training distances and their ratio."""
    held_out_median = float(nearest_distances(held_out.flatten(1), train.flatten(1)).median())
    sample_median = float(nearest_distances(samples.flatten(1), train.flatten(1)).median())
    return ({NEAREST_TRAIN_DISTANCE: sample_median,
             MEMORISATION_RATIO: sample_median / held_out_median},
            {NEAREST_TRAIN_DISTANCE: held_out_median, MEMORISATION_RATIO: 1.0})


def _memorisation_metric(ctx: EvaluationContext) -> MetricResult:
    values, floor = memorisation(ctx.samples(ctx.n_compare), ctx.real("train"), ctx.real("test"))
    return MetricResult(values, floor, {"n_samples": ctx.n_compare, "reference": "train",
                                        "space": "pixels in [0, 1]", "split": "test"})


MEMORISATION = Metric("memorisation", _memorisation_metric,
                      (NEAREST_TRAIN_DISTANCE, MEMORISATION_RATIO),
                      "median pixel distance to the nearest training image, against held-out "
                      "images' (ratio << 1: copying)")
