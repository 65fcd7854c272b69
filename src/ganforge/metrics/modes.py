"""Mode coverage on mixtures of Gaussians, the standard mode-collapse benchmark (Metz et al. 2017;
Srivastava et al. 2017; Lin et al. 2018): a sample is high quality within 3 standard deviations of
its nearest mode; a mode is captured when it is the nearest mode of a high-quality sample."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ganforge.metrics.keys import HIGH_QUALITY_FRACTION, MODE_REVERSE_KL, MODES_CAPTURED

QUALITY_STDS = 3.0


def mode_histogram(samples: Tensor, means: Tensor, std: float,
                   quality_stds: float = QUALITY_STDS) -> tuple[Tensor, Tensor]:
    """(counts of high-quality samples per mode [M], high-quality mask [N]) for samples [N, D]."""
    distances = torch.cdist(samples.double(), means.double()) / std  # in standard deviations
    nearest, index = distances.min(dim=1)
    high_quality = nearest <= quality_stds
    counts = torch.bincount(index[high_quality], minlength=len(means))
    return counts, high_quality


def mode_coverage(samples: Tensor, means: Tensor, std: float,
                  quality_stds: float = QUALITY_STDS) -> dict[str, float]:
    """Modes captured, the high-quality fraction, and the reverse KL between the histogram of
    modes (over high-quality samples) and the uniform distribution over modes, in nats."""
    counts, high_quality = mode_histogram(samples, means, std, quality_stds)
    total = int(counts.sum())
    if total == 0:
        reverse_kl = float("inf")
    else:
        q = counts.double() / total
        present = q > 0
        reverse_kl = float((q[present] * torch.log(q[present] * len(means))).sum())
    return {MODES_CAPTURED: float((counts > 0).sum()),
            HIGH_QUALITY_FRACTION: float(high_quality.double().mean()),
            MODE_REVERSE_KL: reverse_kl}


def as_tensor(points: np.ndarray | Tensor) -> Tensor:
    return points if isinstance(points, Tensor) else torch.from_numpy(np.asarray(points))
