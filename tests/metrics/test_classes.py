import math

import pytest
import torch

from ganforge.metrics.classes import class_coverage, classifier_score
from ganforge.metrics.keys import CLASS_COVERAGE_KL, CLASSES_COVERED, CLASSIFIER_SCORE


def test_class_coverage_kl_against_hand_computations():
    reference = torch.arange(10).repeat(10)  # uniform over 10 classes
    assert class_coverage(reference, reference, 10)[CLASS_COVERAGE_KL] == 0.0
    half = torch.arange(5).repeat(20)  # all mass on 5 of 10 classes
    result = class_coverage(half, reference, 10)
    assert result[CLASS_COVERAGE_KL] == pytest.approx(math.log(2))
    assert result[CLASSES_COVERED] == 5
    one = torch.zeros(100, dtype=torch.long)
    assert class_coverage(one, reference, 10)[CLASS_COVERAGE_KL] == pytest.approx(math.log(10))


def test_classifier_score_is_the_number_of_equally_used_confident_classes():
    # Confident, balanced predictions over C classes score C; one class always scores 1. One
    # split: with ten random splits of 100, each split's class counts are no longer balanced.
    logits = torch.full((1000, 10), -30.0)
    logits[torch.arange(1000), torch.arange(1000) % 10] = 30.0
    assert classifier_score(logits, splits=1)[CLASSIFIER_SCORE] == pytest.approx(10, rel=1e-6)
    collapsed = torch.full((1000, 10), -30.0)
    collapsed[:, 3] = 30.0
    assert classifier_score(collapsed)[CLASSIFIER_SCORE] == pytest.approx(1, rel=1e-6)
