"""Metrics by name (stylegan2's registry): each metric module defines a `Metric` and this tuple
lists it. The CLI's `--metrics` choices and help, the default set for a data set and the keys
of metrics.jsonl records all come from here. A new metric is one module and one entry."""

from __future__ import annotations

from collections.abc import Sequence

from ganforge.errors import ConfigError
from ganforge.metrics.classes import CLASS_COVERAGE, CLASSIFIER_SCORE_METRIC
from ganforge.metrics.conditional import CONDITIONAL_ACCURACY_METRIC, PER_CLASS_FD
from ganforge.metrics.context import EvaluationContext, Metric, MetricResult
from ganforge.metrics.draws import combine_draws, draw_seeds
from ganforge.metrics.frechet import FRECHET, KERNEL
from ganforge.metrics.inception import INCEPTION
from ganforge.metrics.memorisation import MEMORISATION
from ganforge.metrics.parzen import PARZEN
from ganforge.metrics.precision_recall import PRDC

_REGISTERED: tuple[Metric, ...] = (
    PARZEN, FRECHET, KERNEL, CLASSIFIER_SCORE_METRIC, PRDC, CLASS_COVERAGE, MEMORISATION,
    CONDITIONAL_ACCURACY_METRIC, PER_CLASS_FD, INCEPTION,
)
METRICS: dict[str, Metric] = {metric.name: metric for metric in _REGISTERED}


def default_metrics(ctx: EvaluationContext) -> list[str]:
    """Every registered metric whose needs the context meets, in registry order."""
    return [name for name, metric in METRICS.items() if metric.needs <= ctx.offers()]


def evaluate_metrics(names: Sequence[str], ctx: EvaluationContext,
                     draws: int = 1) -> dict[str, MetricResult]:
    """Run the named metrics on one shared context; with `draws` > 1, on that many independent
    draws of samples, each value reported as its mean with a standard error."""
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise ConfigError(f"unknown metric(s) {', '.join(unknown)}; choose from "
                          f"{', '.join(METRICS)}")
    for name in names:
        missing = METRICS[name].needs - ctx.offers()
        if missing:
            raise ConfigError(f"metric {name} needs {', '.join(sorted(missing))}, which "
                              f"{ctx.dataset.name!r} and these options do not offer (labels: a "
                              "labelled image data set; conditional: a --model.conditional "
                              "run on the labels, not on --model.clusters; inception_weights: "
                              "--inception-weights)")
    per_draw = []
    for seed in draw_seeds(ctx.seed, draws):
        # Made after the previous draw has run, so it shares that draw's real-image features.
        context = ctx if seed == ctx.seed else ctx.redraw(seed)
        per_draw.append({name: METRICS[name].compute(context) for name in names})
    return {name: combine_draws([results[name] for results in per_draw]) for name in names}
