"""The standard FID (Heusel et al. 2017) in Inception-v3 features, from a local weights file that
the user supplies: torchmetrics' implementation through torch-fidelity; nothing is downloaded."""

from __future__ import annotations

import torch

from ganforge.errors import ConfigError
from ganforge.metrics.context import INCEPTION_WEIGHTS, EvaluationContext, Metric, MetricResult
from ganforge.metrics.keys import INCEPTION_FID

BATCH = 500


def _to_uint8_rgb(images: torch.Tensor) -> torch.Tensor:
    """[N, C, H, W] floats in [0, 1] (or uint8) -> uint8 with 3 channels, as Inception takes."""
    if images.is_floating_point():
        images = (images.float() * 255).round().clamp(0, 255).to(torch.uint8)
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images


def _inception_fid(ctx: EvaluationContext) -> MetricResult:
    weights = ctx.inception_weights
    assert weights is not None  # INCEPTION_WEIGHTS is met
    if not weights.is_file():
        raise ConfigError(f"--inception-weights {weights} not found")
    try:
        from torchmetrics.image.fid import FrechetInceptionDistance

        metric = FrechetInceptionDistance(feature=2048,
                                          feature_extractor_weights_path=str(weights))
    except ModuleNotFoundError:
        raise ConfigError("--inception-weights needs the torch-fidelity package "
                          "(pip install torch-fidelity; it depends on torchvision)") from None
    train = ctx.dataset.train
    for start in range(0, len(train), BATCH):
        metric.update(_to_uint8_rgb(train[start:start + BATCH]), real=True)
    samples = ctx.samples(ctx.n_compare)
    for start in range(0, len(samples), BATCH):
        metric.update(_to_uint8_rgb(samples[start:start + BATCH]), real=False)
    return MetricResult({INCEPTION_FID: float(metric.compute())}, {},
                        {"n_samples": len(samples), "weights": str(weights)})


INCEPTION = Metric("inception_fid", _inception_fid, (INCEPTION_FID,),
                   "the standard FID in Inception-v3 features (needs --inception-weights)",
                   frozenset({INCEPTION_WEIGHTS}))
