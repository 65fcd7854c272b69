"""Distances between feature distributions, computed by torchmetrics on features we extract once:
the Fréchet distance (FID's formula, Heusel et al. 2017) and the kernel distance (KID,
Bińkowski et al. 2018)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

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


@dataclass(frozen=True)
class FrechetTerms:
    """The Fréchet distance split into its two terms: how far apart the two feature sets'
    centres are, and how unlike their spreads are. `spread_ratio` says which way the second
    goes: below 1 the second set's features vary less than the first's (a generator drawing
    too-typical samples), above 1 more."""

    mean: float
    """||mu_1 - mu_2||^2."""
    covariance: float
    """Tr(S_1 + S_2 - 2 (S_1 S_2)^1/2): the distance less the mean term."""
    spread_ratio: float
    """Tr(S_2) / Tr(S_1): the second set's total feature variance as a fraction of the
    first's."""

    @property
    def total(self) -> float:
        return self.mean + self.covariance


def frechet_terms(real_features: Tensor, fake_features: Tensor) -> FrechetTerms:
    """`frechet_distance(real, fake)` split into its mean and covariance terms, with the fake
    features' total variance as a fraction of the real ones'."""
    real, fake = real_features.double(), fake_features.double()
    mean = float((real.mean(dim=0) - fake.mean(dim=0)).square().sum())
    total = frechet_distance(real, fake)[FRECHET_DISTANCE]
    # Per-feature variances summed: the covariance matrices' traces, unbiased as torchmetrics'.
    spread_ratio = float(fake.var(dim=0).sum() / real.var(dim=0).sum())
    return FrechetTerms(mean=mean, covariance=total - mean, spread_ratio=spread_ratio)


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
