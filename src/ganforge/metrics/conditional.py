"""Metrics of a class-conditional generator: does G(z, y) draw the class it was asked for, and
how good is each class on its own? Conditional accuracy is the share of samples that the feature
classifier assigns to their requested class, beside the classifier's own accuracy on held-out
real images (the ceiling a generator can be measured to). Per-class FD is the Fréchet distance
between each class's samples and that class's training images, against the same for held-out
images of the class."""

from __future__ import annotations

import torch

from ganforge.metrics.context import CONDITIONAL, LABELS, EvaluationContext, Metric, MetricResult
from ganforge.metrics.frechet import frechet_distance
from ganforge.metrics.keys import CONDITIONAL_ACCURACY, PER_CLASS_FD_MAX, PER_CLASS_FD_MEAN


def _requested_classes(ctx: EvaluationContext) -> torch.Tensor:
    labels = ctx.sampler.check_labels(None, ctx.n_compare)  # the classes ctx.samples drew for
    assert labels is not None, "the conditional metrics need a conditional sampler"
    return labels


def _conditional_accuracy(ctx: EvaluationContext) -> MetricResult:
    requested = _requested_classes(ctx)
    predicted = ctx.outputs("fake", features=False).argmax(1)
    test_labels = ctx.dataset.test_labels
    assert test_labels is not None
    ceiling = ctx.outputs("test", features=False).argmax(1)
    return MetricResult(
        {CONDITIONAL_ACCURACY: float((predicted == requested).float().mean())},
        {CONDITIONAL_ACCURACY: float((ceiling == test_labels).float().mean())},
        {"n_samples": ctx.n_compare, "split": "test",
         "floor": "the feature classifier's accuracy on the held-out images"})


def _per_class_fd(ctx: EvaluationContext) -> MetricResult:
    requested = _requested_classes(ctx)
    fake = ctx.outputs("fake", features=True)
    train = ctx.outputs("train", features=True)
    test = ctx.outputs("test", features=True)
    train_labels, test_labels = ctx.dataset.train_labels, ctx.dataset.test_labels
    assert train_labels is not None and test_labels is not None
    generated, held_out = [], []
    for label in range(int(train_labels.max()) + 1):
        reference = train[train_labels == label]
        generated.append(next(iter(frechet_distance(reference, fake[requested == label])
                                   .values())))
        held_out.append(next(iter(frechet_distance(reference, test[test_labels == label])
                                  .values())))

    def summary(values: list[float]) -> dict[str, float]:
        return {PER_CLASS_FD_MEAN: sum(values) / len(values), PER_CLASS_FD_MAX: max(values)}

    return MetricResult(summary(generated), summary(held_out),
                        {"n_samples": ctx.n_compare, "reference": "train, per class",
                         "split": "test", "per_class": [round(v, 3) for v in generated]})


CONDITIONAL_ACCURACY_METRIC = Metric(
    "conditional_accuracy", _conditional_accuracy, (CONDITIONAL_ACCURACY,),
    "share of a conditional G's samples classified as the class asked for",
    frozenset({LABELS, CONDITIONAL}))
PER_CLASS_FD = Metric(
    "per_class_fd", _per_class_fd, (PER_CLASS_FD_MEAN, PER_CLASS_FD_MAX),
    "Fréchet distance of each class's samples to that class's training images (mean, max)",
    frozenset({LABELS, CONDITIONAL}))
