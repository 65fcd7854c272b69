"""Sample-quality metrics. Nothing here imports `ganforge.training`: a metric takes samples (or a
sampler) and reference data, and returns named numbers (names in `metrics.keys`)."""

from ganforge.metrics.context import EvaluationContext, Metric, MetricResult
from ganforge.metrics.registry import METRICS, default_metrics, evaluate_metrics

__all__ = ["METRICS", "EvaluationContext", "Metric", "MetricResult", "default_metrics",
           "evaluate_metrics"]
