"""Metrics on the classifier's outputs: the Inception Score's analogue (Salimans et al. 2016,
with ganforge's own classifier) and class coverage, the mode-collapse signal on labelled data."""

from __future__ import annotations

import math
import warnings

import torch
from torch import Tensor
from torchmetrics.image.inception import InceptionScore

from ganforge.metrics.context import LABELS, EvaluationContext, Metric, MetricResult
from ganforge.metrics.frechet import PrecomputedFeatures
from ganforge.metrics.keys import CLASS_COVERAGE_KL, CLASSES_COVERED, CLASSIFIER_SCORE


def classifier_score(logits: Tensor, *, splits: int = 10, seed: int = 0) -> dict[str, float]:
    """exp(E_x KL(p(y|x) || p(y))) from class logits [N, classes], mean over splits."""
    with warnings.catch_warnings():
        # torchmetrics warns that it keeps every feature in memory; here they are logits.
        warnings.filterwarnings("ignore", message=".*will save all extracted features")
        metric = InceptionScore(feature=PrecomputedFeatures(logits.shape[1]), splits=splits)
    metric.update(logits.double())
    with torch.random.fork_rng(), warnings.catch_warnings():
        torch.manual_seed(seed)  # the splits come from a random permutation
        # With one split, the spread across splits (unused here) has no degrees of freedom.
        warnings.filterwarnings("ignore", message=".*degrees of freedom")
        mean, _std = metric.compute()
    return {CLASSIFIER_SCORE: float(mean)}


def class_histogram(labels: Tensor, num_classes: int) -> Tensor:
    return torch.bincount(labels, minlength=num_classes).double() / len(labels)


def class_coverage(predicted: Tensor, reference: Tensor, num_classes: int) -> dict[str, float]:
    """KL(q || p) in nats between the histogram q of predicted classes of generated samples and
    the data's class histogram p; and how many classes the samples cover."""
    q = class_histogram(predicted, num_classes)
    p = class_histogram(reference, num_classes)
    present = q > 0
    if (p[present] == 0).any():
        kl = math.inf
    else:
        kl = float((q[present] * torch.log(q[present] / p[present])).sum())
    return {CLASS_COVERAGE_KL: kl, CLASSES_COVERED: float(present.sum())}


# --- Registration: with the feature classifier's predictions ------------------------------------

def _classifier_score_metric(ctx: EvaluationContext) -> MetricResult:
    return MetricResult(classifier_score(ctx.outputs("fake", features=False), seed=ctx.seed),
                        classifier_score(ctx.outputs("test", features=False), seed=ctx.seed),
                        {"n_samples": ctx.n_compare, "splits": 10, "split": "test"})


def _class_coverage_metric(ctx: EvaluationContext) -> MetricResult:
    labels = ctx.dataset.train_labels
    assert labels is not None  # LABELS is met
    classes = int(labels.max()) + 1
    fake = ctx.outputs("fake", features=False).argmax(1)
    test = ctx.outputs("test", features=False).argmax(1)
    return MetricResult(class_coverage(fake, labels, classes),
                        class_coverage(test, labels, classes),
                        {"n_samples": ctx.n_compare, "reference": "training labels"})


CLASSIFIER_SCORE_METRIC = Metric(
    "classifier_score", _classifier_score_metric, (CLASSIFIER_SCORE,),
    "Inception-score formula on the feature classifier", frozenset({LABELS}))
CLASS_COVERAGE = Metric(
    "class_coverage", _class_coverage_metric, (CLASS_COVERAGE_KL, CLASSES_COVERED),
    "KL of the predicted-class histogram from the training labels'", frozenset({LABELS}))
