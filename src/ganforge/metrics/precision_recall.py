"""Precision, recall, density and coverage of generated features against real ones
(Kynkäänniemi et al. 2019; Naeem et al. 2020), computed by the `prdc` package."""

from __future__ import annotations

import contextlib
import io

from prdc import compute_prdc
from torch import Tensor

from ganforge.metrics.keys import COVERAGE, DENSITY, PRECISION, RECALL


def precision_recall_density_coverage(real_features: Tensor, fake_features: Tensor, *,
                                      nearest_k: int = 5) -> dict[str, float]:
    """k-nearest-neighbour manifold estimates in feature space."""
    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints its set sizes
        result = compute_prdc(real_features.double().numpy(), fake_features.double().numpy(),
                              nearest_k=nearest_k)
    return {PRECISION: float(result["precision"]), RECALL: float(result["recall"]),
            DENSITY: float(result["density"]), COVERAGE: float(result["coverage"])}
