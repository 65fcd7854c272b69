"""Sample-quality metrics. Nothing here imports `ganforge.training`: a metric takes samples (or a
sampler) and reference data, and returns named numbers (names in `metrics.keys`)."""

from ganforge.metrics.registry import METRICS, EvaluationContext, MetricResult, evaluate_metrics

__all__ = ["METRICS", "EvaluationContext", "MetricResult", "evaluate_metrics"]
