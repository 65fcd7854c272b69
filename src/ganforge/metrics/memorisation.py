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


def k_nearest(queries: Tensor, reference: Tensor, k: int, *, chunk_size: int = CHUNK,
              dtype: torch.dtype = torch.float32) -> tuple[Tensor, Tensor]:
    """Euclidean distances [N, k] and indices [N, k] of each query row's k nearest reference
    rows (queries [N, D], reference [M, D]), nearest first.

    Chunked over the queries, so memory stays at chunk_size x M. float32 halves the time of
    float64 and is ample for pixel distances of order 1-10.
    """
    queries, reference = queries.to(dtype), reference.to(dtype)
    reference_sq = reference.pow(2).sum(1)
    distances, indices = [], []
    for start in range(0, len(queries), chunk_size):
        chunk = queries[start:start + chunk_size]
        # ||q - r||^2 = ||q||^2 - 2 q.r + ||r||^2, one matmul per chunk; clamp float rounding.
        squared = chunk.pow(2).sum(1, keepdim=True) - 2 * chunk @ reference.T + reference_sq
        nearest = squared.topk(k, dim=1, largest=False)
        distances.append(nearest.values.clamp_min(0).sqrt())
        indices.append(nearest.indices)
    return torch.cat(distances).float(), torch.cat(indices)


def nearest_distances(queries: Tensor, reference: Tensor, *, chunk_size: int = CHUNK) -> Tensor:
    """Euclidean distance from each query row [N, D] to its nearest reference row [M, D], [N]
    (in float64: the metric's numbers are compared across runs)."""
    return k_nearest(queries, reference, 1, chunk_size=chunk_size, dtype=torch.float64)[0][:, 0]


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
