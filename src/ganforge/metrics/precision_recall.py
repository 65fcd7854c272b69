"""Precision, recall, density and coverage of generated features against real ones
(Kynkäänniemi et al. 2019; Naeem et al. 2020), computed by the `prdc` package."""

from __future__ import annotations

import contextlib
import io

import torch
from prdc import compute_prdc
from torch import Tensor

from ganforge.metrics.context import LABELS, EvaluationContext, Metric, MetricResult
from ganforge.metrics.keys import COVERAGE, DENSITY, PRECISION, RECALL


def precision_recall_density_coverage(real_features: Tensor, fake_features: Tensor, *,
                                      nearest_k: int = 5) -> dict[str, float]:
    """k-nearest-neighbour manifold estimates in feature space."""
    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints its set sizes
        result = compute_prdc(real_features.double().numpy(), fake_features.double().numpy(),
                              nearest_k=nearest_k)
    return {PRECISION: float(result["precision"]), RECALL: float(result["recall"]),
            DENSITY: float(result["density"]), COVERAGE: float(result["coverage"])}


# --- Registration: in the feature classifier's space --------------------------------------------

PRDC_MAX_REAL = 10_000


def _prdc_metric(ctx: EvaluationContext) -> MetricResult:
    train = ctx.outputs("train", features=True)
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(ctx.seed))
    real = train[order[:PRDC_MAX_REAL]]
    return MetricResult(
        precision_recall_density_coverage(real, ctx.outputs("fake", features=True)),
        precision_recall_density_coverage(real, ctx.outputs("test", features=True)),
        {"n_samples": ctx.n_compare, "n_real": len(real), "nearest_k": 5})


PRDC = Metric("prdc", _prdc_metric, (PRECISION, RECALL, DENSITY, COVERAGE),
              "precision, recall, density and coverage of the feature manifolds",
              frozenset({LABELS}))
