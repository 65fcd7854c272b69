"""Distances between feature distributions, computed by torchmetrics on features we extract once:
the Fréchet distance (FID's formula, Heusel et al. 2017) and the kernel distance (KID,
Bińkowski et al. 2018)."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

from ganforge.metrics.context import LABELS, EvaluationContext, Metric, MetricResult
from ganforge.metrics.keys import FRECHET_DISTANCE, KID, KID_STD


class PrecomputedFeatures(nn.Module):
    """torchmetrics passes whatever `update` receives to its feature module: here, features
    already extracted by ganforge's classifier, so they are used as they are."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, features: Tensor) -> Tensor:
        return features


def frechet_distance(real_features: Tensor, fake_features: Tensor) -> dict[str, float]:
    """||mu_r - mu_f||^2 + Tr(S_r + S_f - 2 (S_r S_f)^1/2) of two feature sets [N, d]."""
    metric = FrechetInceptionDistance(feature=PrecomputedFeatures(real_features.shape[1]))
    metric.update(real_features.double(), real=True)
    metric.update(fake_features.double(), real=False)
    return {FRECHET_DISTANCE: float(metric.compute())}


def kernel_distance(real_features: Tensor, fake_features: Tensor, *, subsets: int = 100,
                    subset_size: int = 1000, seed: int = 0) -> dict[str, float]:
    """Unbiased MMD^2 with a cubic polynomial kernel, mean and std over random subsets."""
    size = min(subset_size, len(real_features), len(fake_features))
    with warnings.catch_warnings():
        # torchmetrics warns that it keeps every feature in memory: that is what we want here.
        warnings.filterwarnings("ignore", message=".*will save all extracted features")
        metric = KernelInceptionDistance(feature=PrecomputedFeatures(real_features.shape[1]),
                                         subsets=subsets, subset_size=size)
    metric.update(real_features.double(), real=True)
    metric.update(fake_features.double(), real=False)
    with torch.random.fork_rng():  # the subsets come from torch's global generator
        torch.manual_seed(seed)
        mean, std = metric.compute()
    return {KID: float(mean), KID_STD: float(std)}


# --- Registration: in the feature classifier's space --------------------------------------------

def _frechet_metric(ctx: EvaluationContext) -> MetricResult:
    train = ctx.outputs("train", features=True)
    return MetricResult(frechet_distance(train, ctx.outputs("fake", features=True)),
                        frechet_distance(train, ctx.outputs("test", features=True)),
                        {"n_samples": ctx.n_compare, "reference": "train", "split": "test"})


def _kid_metric(ctx: EvaluationContext) -> MetricResult:
    train = ctx.outputs("train", features=True)
    return MetricResult(kernel_distance(train, ctx.outputs("fake", features=True), seed=ctx.seed),
                        kernel_distance(train, ctx.outputs("test", features=True), seed=ctx.seed),
                        {"n_samples": ctx.n_compare, "reference": "train", "subsets": 100})


FRECHET = Metric("fd", _frechet_metric, (FRECHET_DISTANCE,),
                 "Fréchet distance in the feature classifier's space", frozenset({LABELS}))
KERNEL = Metric("kid", _kid_metric, (KID, KID_STD),
                "kernel (MMD) distance in the feature classifier's space", frozenset({LABELS}))
