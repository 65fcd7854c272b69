"""The metric registry: names, keys and needs come from each metric's registration."""

import pytest
import torch

from ganforge.data.datasets import Dataset
from ganforge.errors import ConfigError
from ganforge.metrics import METRICS, EvaluationContext, default_metrics, evaluate_metrics
from ganforge.metrics.context import CONDITIONAL, INCEPTION_WEIGHTS, LABELS


class _Uniform:
    def sample(self, n, *, seed=None):
        generator = torch.Generator().manual_seed(seed or 0)
        return torch.rand(n, 1, 4, 4, generator=generator)


def _dataset(labels: bool) -> Dataset:
    # More training images than the Parzen protocol's 1,000 validation images.
    images = torch.randint(0, 256, (1150, 1, 4, 4), dtype=torch.uint8,
                           generator=torch.Generator().manual_seed(0))
    classes = torch.arange(1150) % 3 if labels else None
    return Dataset(name="tiny", train=images[:1100], test=images[1100:],
                   train_labels=None if classes is None else classes[:1100],
                   test_labels=None if classes is None else classes[1100:])


def test_every_metric_declares_its_keys_and_needs():
    for name, metric in METRICS.items():
        assert metric.name == name and metric.keys and metric.summary
        assert metric.needs <= {LABELS, CONDITIONAL, INCEPTION_WEIGHTS}


def test_the_default_set_is_every_metric_whose_needs_the_data_meets():
    unlabelled = EvaluationContext(_Uniform(), _dataset(labels=False))
    assert default_metrics(unlabelled) == ["parzen", "memorisation"]
    labelled = EvaluationContext(_Uniform(), _dataset(labels=True))
    assert "fd" in default_metrics(labelled) and "inception_fid" not in default_metrics(labelled)
    # An unconditional generator gets no conditional metrics.
    assert "conditional_accuracy" not in default_metrics(labelled)


def test_results_report_exactly_the_registered_keys():
    context = EvaluationContext(_Uniform(), _dataset(labels=False), n_samples=20)
    results = evaluate_metrics(["parzen", "memorisation"], context)
    for name, result in results.items():
        assert tuple(result.values) == METRICS[name].keys


def test_unknown_and_unmet_metrics_are_config_errors():
    context = EvaluationContext(_Uniform(), _dataset(labels=False))
    with pytest.raises(ConfigError, match="unknown metric"):
        evaluate_metrics(["fid_inception"], context)
    with pytest.raises(ConfigError, match="fd needs labels"):
        evaluate_metrics(["fd"], context)
