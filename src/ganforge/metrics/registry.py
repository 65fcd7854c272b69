"""Metric registry (name -> function) and the context metrics share: generated samples, the data
set, and features from ganforge's own classifier, each computed once.

Every metric returns its value for the generator and the same value for held-out real images
against the training images: the floor (or ceiling) that a perfect generator would reach.
Fréchet distance, KID and precision/recall compare as many generated samples as there are
held-out images, so that generator and floor face the same finite-sample bias.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import Tensor

from ganforge.data.datasets import SPLIT_SEED, Dataset
from ganforge.errors import ConfigError
from ganforge.metrics.classes import class_coverage, classifier_score
from ganforge.metrics.features import TrainedClassifier, load_or_train_classifier, predict
from ganforge.metrics.frechet import frechet_distance, kernel_distance
from ganforge.metrics.parzen import parzen_evaluate
from ganforge.metrics.precision_recall import precision_recall_density_coverage

PARZEN_SAMPLES = 10_000
PARZEN_VALIDATION = 1_000
PRDC_MAX_REAL = 10_000


class Sampler(Protocol):
    """Anything that draws samples: images [n, C, H, W] in [0, 1]."""

    def sample(self, n: int, *, seed: int | None = None) -> Tensor: ...


@dataclass
class MetricResult:
    values: dict[str, float]
    floor: dict[str, float]
    settings: dict[str, Any]


@dataclass
class EvaluationContext:
    """Generated samples, the data set and the feature network, each built once, on demand."""

    sampler: Sampler
    dataset: Dataset
    n_samples: int | None = None
    """Generated samples per metric (default: 10,000 for Parzen, as many as the held-out
    images for the others)."""
    seed: int = 0
    progress: bool = True
    _samples: Tensor | None = None
    _classifier: TrainedClassifier | None = None
    _cache: dict[str, Tensor] = field(default_factory=dict)

    def samples(self, n: int) -> Tensor:
        """The first n of one seeded draw, so every metric sees the same samples."""
        if self._samples is None or len(self._samples) < n:
            self._samples = self.sampler.sample(n, seed=self.seed).float()
        return self._samples[:n]

    @property
    def n_compare(self) -> int:
        return self.n_samples or len(self.dataset.test)

    def real(self, split: str) -> Tensor:
        return (self.dataset.train if split == "train" else self.dataset.test).float() / 255

    def classifier(self) -> TrainedClassifier:
        if self._classifier is None:
            data = self.dataset
            if data.train_labels is None or data.test_labels is None or not data.is_image:
                raise ConfigError(f"data set {data.name!r} has no labels: its domain metrics "
                                  "need a labelled image data set (use --metrics parzen)")
            self._classifier = load_or_train_classifier(
                data.train, data.train_labels, data.test, data.test_labels,
                progress=self.progress)
        return self._classifier

    def outputs(self, name: str, *, features: bool) -> Tensor:
        """Classifier features or logits of "fake", "train" or "test" images (cached)."""
        key = f"{name}-{'features' if features else 'logits'}"
        if key not in self._cache:
            images = self.samples(self.n_compare) if name == "fake" else self.real(name)
            self._cache[key] = predict(self.classifier().network, images, features=features)
        return self._cache[key]


def parzen_validation_split(train: Tensor) -> tuple[Tensor, Tensor]:
    """The paper's protocol chooses sigma on training images, never the test split: a fixed
    PARZEN_VALIDATION of them (seeded), and the rest."""
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(SPLIT_SEED))
    return train[order[:PARZEN_VALIDATION]], train[order[PARZEN_VALIDATION:]]


def _parzen(ctx: EvaluationContext) -> MetricResult:
    validation, rest = parzen_validation_split(ctx.real("train").flatten(1))
    test = ctx.real("test").flatten(1)
    samples = ctx.samples(ctx.n_samples or PARZEN_SAMPLES).flatten(1)
    return MetricResult(
        parzen_evaluate(samples, validation, test),
        parzen_evaluate(rest[:PARZEN_SAMPLES], validation, test),
        {"n_samples": len(samples), "validation": f"{len(validation)} training images",
         "split": "test", "floor": "training images (outside validation) as the samples"})


def _frechet(ctx: EvaluationContext) -> MetricResult:
    train = ctx.outputs("train", features=True)
    return MetricResult(frechet_distance(train, ctx.outputs("fake", features=True)),
                        frechet_distance(train, ctx.outputs("test", features=True)),
                        {"n_samples": ctx.n_compare, "reference": "train", "split": "test"})


def _kid(ctx: EvaluationContext) -> MetricResult:
    train = ctx.outputs("train", features=True)
    return MetricResult(kernel_distance(train, ctx.outputs("fake", features=True), seed=ctx.seed),
                        kernel_distance(train, ctx.outputs("test", features=True), seed=ctx.seed),
                        {"n_samples": ctx.n_compare, "reference": "train", "subsets": 100})


def _classifier_score(ctx: EvaluationContext) -> MetricResult:
    return MetricResult(classifier_score(ctx.outputs("fake", features=False), seed=ctx.seed),
                        classifier_score(ctx.outputs("test", features=False), seed=ctx.seed),
                        {"n_samples": ctx.n_compare, "splits": 10, "split": "test"})


def _prdc(ctx: EvaluationContext) -> MetricResult:
    train = ctx.outputs("train", features=True)
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(ctx.seed))
    real = train[order[:PRDC_MAX_REAL]]
    return MetricResult(
        precision_recall_density_coverage(real, ctx.outputs("fake", features=True)),
        precision_recall_density_coverage(real, ctx.outputs("test", features=True)),
        {"n_samples": ctx.n_compare, "n_real": len(real), "nearest_k": 5})


def _class_coverage(ctx: EvaluationContext) -> MetricResult:
    labels = ctx.dataset.train_labels
    assert labels is not None  # classifier() has checked
    classes = int(labels.max()) + 1
    fake = ctx.outputs("fake", features=False).argmax(1)
    test = ctx.outputs("test", features=False).argmax(1)
    return MetricResult(class_coverage(fake, labels, classes),
                        class_coverage(test, labels, classes),
                        {"n_samples": ctx.n_compare, "reference": "training labels"})


METRICS: dict[str, Callable[[EvaluationContext], MetricResult]] = {
    "parzen": _parzen,
    "fd": _frechet,
    "kid": _kid,
    "classifier_score": _classifier_score,
    "prdc": _prdc,
    "class_coverage": _class_coverage,
}
DOMAIN_METRICS = ("fd", "kid", "classifier_score", "prdc", "class_coverage")


def evaluate_metrics(names: list[str], ctx: EvaluationContext) -> dict[str, MetricResult]:
    """Run the named metrics on one shared context."""
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise ConfigError(f"unknown metric(s) {', '.join(unknown)}; choose from "
                          f"{', '.join(METRICS)}")
    return {name: METRICS[name](ctx) for name in names}
