"""`evaluate(run)`: score a trained generator on its own data set with the metrics registry and
append every result, with the settings that move its number, to the run's metrics.jsonl."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganforge.checkpoint import run_dir_of
from ganforge.data import Dataset, build_dataset
from ganforge.errors import ConfigError
from ganforge.metrics import keys
from ganforge.metrics.context import LABELS, EvaluationContext, MetricResult
from ganforge.metrics.context import Sampler as MetricSampler
from ganforge.metrics.draws import check_draws
from ganforge.metrics.registry import METRICS, default_metrics, evaluate_metrics
from ganforge.rejection import RejectionSampler, load_rejection_sampler
from ganforge.sampler import Sampler, load_generator
from ganforge.version import __version__

METRICS_LOG = "metrics.jsonl"


def evaluate(source: str | Path | Sampler | MetricSampler, *,
             metrics: Sequence[str] | None = None,
             n_samples: int | None = None, seed: int = 0, device: str = "auto",
             dataset: Dataset | None = None,
             inception_weights: str | Path | None = None, log: bool = True,
             progress: bool = True, temperature: float = 1.0,
             draws: int = 1, reject: float | None = None,
             measure_batchnorm: int = 0) -> dict[str, MetricResult]:
    """Score a run folder, a checkpoint or a `Sampler` on its data set's held-out split; any
    object with `sample(n, seed=)` and `check_labels` can be scored with `dataset` given.
    `temperature` applies to a generator loaded here (a `Sampler` keeps its own). `draws` > 1
    scores that many independent draws of samples (seeds `seed`, `seed` + 1, ...) and reports
    each value's mean, with its standard error in `MetricResult.standard_error`. `reject`
    scores a generator loaded here through discriminator rejection sampling at that quantile
    (`ganforge.rejection`). `measure_batchnorm` > 0 first measures the BatchNorm statistics of a
    generator loaded here on that many batches of its own samples (`ganforge.batchnorm`).

    Results are appended to RUN_DIR/metrics.jsonl when `source` is a run or checkpoint.
    """
    check_draws(draws)
    run_dir: Path | None = None
    loaded: Sampler | None  # a ganforge generator, whose config names its data
    generator: MetricSampler
    if isinstance(source, (str, Path)):
        if reject is None:
            loaded = generator = load_generator(source, device=device, temperature=temperature,
                                                measure_batchnorm=measure_batchnorm)
        else:
            loaded = generator = load_rejection_sampler(source, quantile=reject, device=device,
                                                        temperature=temperature,
                                                        measure_batchnorm=measure_batchnorm)
        run_dir, source_name = run_dir_of(source), str(source)
    else:  # a Sampler, or anything else with sample(n, seed=) and check_labels (a peer's G)
        if reject is not None:
            raise ConfigError("reject= applies to a run folder or checkpoint loaded here; for a "
                              "Sampler in memory, score RejectionSampler(sampler, D) instead")
        if measure_batchnorm:
            raise ConfigError("measure_batchnorm= applies to a run folder or checkpoint loaded "
                              "here; for a Sampler in memory, call "
                              "ganforge.batchnorm.measure_batchnorm(sampler, N) first")
        loaded = source if isinstance(source, Sampler) else None
        generator, source_name = source, "in-memory generator"
    if dataset is None:
        if loaded is None:
            raise ConfigError("evaluating an in-memory generator needs its data set: "
                              "evaluate(generator, dataset=ganforge.build_dataset(...))")
        dataset = build_dataset(loaded.config.data)
    if not dataset.is_image:
        raise ConfigError(f"evaluate scores image generators; {dataset.name!r} is toy data "
                          "(use `ganforge modes` or `ganforge theory`)")
    if n_samples is not None and n_samples < 2:
        raise ConfigError(f"--n-samples must be >= 2 (got {n_samples})")
    if inception_weights is not None and not Path(inception_weights).is_file():
        raise ConfigError(f"--inception-weights {inception_weights} not found")
    context = EvaluationContext(generator, dataset, n_samples=n_samples, seed=seed,
                                progress=progress,
                                inception_weights=None if inception_weights is None
                                else Path(inception_weights))
    names = list(metrics) if metrics else default_metrics(context)
    start = time.perf_counter()
    results = evaluate_metrics(names, context, draws)
    seconds = time.perf_counter() - start
    if log and run_dir is not None and loaded is not None and loaded.config.train.tensorboard:
        _log_to_tensorboard(run_dir, results, loaded.step)
    if log and run_dir is not None and loaded is not None:
        classifier = context.loaded_classifier()
        network = classifier.describe() if classifier is not None else None
        with (run_dir / METRICS_LOG).open("a", encoding="utf-8") as file:
            for name, result in results.items():
                file.write(json.dumps(_record(name, result, loaded, dataset, seed,
                                              source_name, network, seconds)) + "\n")
    return results


def _log_to_tensorboard(run_dir: Path, results: dict[str, MetricResult], step: int) -> None:
    """The run's TensorBoard gets each value as metrics/<key> at G's step (and the real floor
    as metrics_floor/<key>), beside the training scalars."""
    from torch.utils.tensorboard import SummaryWriter  # slow import: only for such runs

    writer = SummaryWriter(str(run_dir / "tensorboard"))
    try:
        for result in results.values():
            for key, value in result.values.items():
                if math.isfinite(value):
                    writer.add_scalar(f"metrics/{key}", value, step)
                floor = result.floor.get(key)
                if floor is not None and math.isfinite(floor):
                    writer.add_scalar(f"metrics_floor/{key}", floor, step)
    finally:
        writer.close()


def _record(name: str, result: MetricResult, generator: Sampler, dataset: Dataset, seed: int,
            source: str, network: dict[str, Any] | None, seconds: float) -> dict[str, Any]:
    def finite(values: dict[str, float]) -> dict[str, float | str]:
        return {k: v if math.isfinite(v) else str(v) for k, v in values.items()}

    record: dict[str, Any] = {
        "metric": name, "values": finite(result.values), "real_floor": finite(result.floor),
        "seed": seed, "data": dataset.name, "step": generator.step, "source": source,
        "temperature": generator.temperature,
        "batchnorm_measured": None if generator.batchnorm_measured is None
        else generator.batchnorm_measured.to_record(),
        "ganforge_version": __version__, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "seconds_all_metrics": round(seconds, 2), **result.settings,
    }
    if isinstance(generator, RejectionSampler):
        record["rejection"] = {"quantile": generator.quantile, "log_m": generator.log_m,
                               "acceptance_rate": generator.acceptance_rate}
    if result.standard_error:
        record["standard_error"] = finite(result.standard_error)
    if keys.PARZEN_SIGMA in result.values:
        record["sigma"] = result.values[keys.PARZEN_SIGMA]
    if LABELS in METRICS[name].needs:
        record["feature_network"] = network
    return record


def merged_scores(results: dict[str, MetricResult]) -> tuple[dict[str, float], dict[str, float]]:
    """The values and the floors of every metric `evaluate` returned, each merged into one dict."""
    values: dict[str, float] = {}
    floor: dict[str, float] = {}
    for result in results.values():
        values.update(result.values)
        floor.update(result.floor)
    return values, floor


def format_results(results: dict[str, MetricResult]) -> str:
    """A text table: each metric's value for the generator (with its standard error when it is
    a mean over several draws) and for held-out real images."""
    with_errors = any(result.standard_error for result in results.values())
    error_title = f"{'+- s.e.':>10}" if with_errors else ""
    lines = [f"{'metric':<26}{'generator':>14}{error_title}{'real floor':>14}  settings"]
    for result in results.values():
        settings = ", ".join(f"{k}={v}" for k, v in result.settings.items()
                             if k in ("n_samples", "split", "reference", "draws"))
        for key, value in result.values.items():
            floor = result.floor.get(key)
            floor_text = "" if floor is None else f"{floor:14.4f}"
            error = result.standard_error.get(key)
            error_text = "" if not with_errors else \
                f"{'':>10}" if error is None else f"{error:10.4f}"
            lines.append(f"{key:<26}{value:14.4f}{error_text}{floor_text:>14}  {settings}")
    return "\n".join(lines)
