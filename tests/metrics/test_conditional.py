"""Conditional accuracy and per-class FD against known answers, with a classifier that reads the
class off the image (so no network is trained here)."""

from pathlib import Path

import pytest
import torch
from torch import nn

from ganforge.data import Dataset
from ganforge.metrics.conditional import CONDITIONAL_ACCURACY_METRIC, PER_CLASS_FD
from ganforge.metrics.context import CONDITIONAL, EvaluationContext
from ganforge.metrics.features import TrainedClassifier
from ganforge.metrics.keys import CONDITIONAL_ACCURACY, PER_CLASS_FD_MEAN

CLASSES = 4


def _images(labels: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Class c is an 8x8 image of brightness 40c + noise (uint8)."""
    noise = torch.randn(len(labels), 1, 8, 8, generator=generator) * 4
    return (labels.view(-1, 1, 1, 1) * 40.0 + 20 + noise).clamp(0, 255).round().to(torch.uint8)


class BrightnessClassifier(nn.Module):
    """Features: mean and spread of the pixels; logits: closeness of the mean to each class's."""

    def features(self, images: torch.Tensor) -> torch.Tensor:
        flat = images.flatten(1) * 255
        return torch.stack([flat.mean(1), flat.std(1)], dim=1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        mean = self.features(images)[:, :1]
        return -(mean - (torch.arange(CLASSES) * 40.0 + 20)) ** 2


class ClassSampler:
    """A 'conditional generator' drawing fresh images of class (asked + shift) % CLASSES."""

    num_classes = CLASSES

    def __init__(self, shift: int) -> None:
        self.shift = shift

    def check_labels(self, labels, n):
        return torch.arange(n) % CLASSES

    def sample(self, n, *, seed=None):
        drawn = (self.check_labels(None, n) + self.shift) % CLASSES
        return _images(drawn, torch.Generator().manual_seed(seed or 0)).float() / 255


@pytest.fixture
def dataset():
    generator = torch.Generator().manual_seed(0)
    train_labels, test_labels = torch.arange(400) % CLASSES, torch.arange(200) % CLASSES
    return Dataset("brightness", _images(train_labels, generator), _images(test_labels, generator),
                   train_labels, test_labels)


def _context(sampler, dataset, tmp_path: Path) -> EvaluationContext:
    context = EvaluationContext(sampler, dataset, n_samples=200)
    context._classifier = TrainedClassifier(BrightnessClassifier(), 1.0, "test",
                                            tmp_path / "classifier.pt", 0.0)
    return context


def test_conditional_accuracy_is_the_share_drawn_from_the_asked_class(dataset, tmp_path):
    right = _context(ClassSampler(shift=0), dataset, tmp_path)
    assert CONDITIONAL in right.offers()
    result = CONDITIONAL_ACCURACY_METRIC.compute(right)
    assert result.values[CONDITIONAL_ACCURACY] == 1.0
    assert result.floor[CONDITIONAL_ACCURACY] == 1.0  # the classifier's own test accuracy
    wrong = CONDITIONAL_ACCURACY_METRIC.compute(_context(ClassSampler(1), dataset, tmp_path))
    assert wrong.values[CONDITIONAL_ACCURACY] == 0.0


def test_per_class_fd_is_near_its_floor_for_the_right_classes_only(dataset, tmp_path):
    right = PER_CLASS_FD.compute(_context(ClassSampler(0), dataset, tmp_path))
    wrong = PER_CLASS_FD.compute(_context(ClassSampler(1), dataset, tmp_path))
    floor = right.floor[PER_CLASS_FD_MEAN]
    assert right.values[PER_CLASS_FD_MEAN] < 3 * floor + 1
    # Classes 0-2 get images 40 grey levels brighter (FD ~ 40^2 in the mean feature), class 3
    # gets class 0's, 120 levels darker (120^2): the mean is (3 x 1600 + 14400) / 4 = 4800.
    assert wrong.values[PER_CLASS_FD_MEAN] == pytest.approx(4800, rel=0.05)
