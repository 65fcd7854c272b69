"""`evaluate(run)`: score a trained generator on its own data set with the metrics registry and
append every result, with the settings that move its number, to the run's metrics.jsonl."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from ganforge.data import Dataset, build_dataset
from ganforge.errors import ConfigError
from ganforge.generator import Generator, load_generator
from ganforge.metrics import keys
from ganforge.metrics.registry import (
    DOMAIN_METRICS,
    EvaluationContext,
    MetricResult,
    evaluate_metrics,
)
from ganforge.training.checkpoint import resolve_checkpoint
from ganforge.version import __version__

METRICS_LOG = "metrics.jsonl"
INCEPTION_FID = "inception_fid"


def _run_dir_of(path: Path) -> Path:
    checkpoint = resolve_checkpoint(path)
    return checkpoint.parent.parent if checkpoint.parent.name == "checkpoints" else \
        checkpoint.parent


def default_metrics(dataset: Dataset) -> list[str]:
    """Parzen always; the classifier metrics when the data set is labelled images."""
    labelled = dataset.is_image and dataset.train_labels is not None
    return ["parzen", *DOMAIN_METRICS] if labelled else ["parzen"]


def inception_fid(generator: Generator, dataset: Dataset, weights: str | Path,
                  n_samples: int, seed: int) -> dict[str, float]:
    """The standard FID from a local Inception weights file (nothing is downloaded)."""
    weights = Path(weights)
    if not weights.is_file():
        raise ConfigError(f"--inception-weights {weights} not found")
    try:
        from torchmetrics.image.fid import FrechetInceptionDistance

        metric = FrechetInceptionDistance(feature=2048,
                                          feature_extractor_weights_path=str(weights))
    except ModuleNotFoundError:
        raise ConfigError("--inception-weights needs the torch-fidelity package "
                          "(pip install torch-fidelity; it depends on torchvision)") from None

    def to_uint8_rgb(images: torch.Tensor) -> torch.Tensor:
        images = (images.float() * 255).round().clamp(0, 255).to(torch.uint8) \
            if images.is_floating_point() else images
        return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images

    for start in range(0, len(dataset.train), 500):
        metric.update(to_uint8_rgb(dataset.train[start:start + 500]), real=True)
    samples = generator.sample(n_samples, seed=seed)
    for start in range(0, n_samples, 500):
        metric.update(to_uint8_rgb(samples[start:start + 500]), real=False)
    return {INCEPTION_FID: float(metric.compute())}


def evaluate(source: str | Path | Generator, *, metrics: Sequence[str] | None = None,
             n_samples: int | None = None, seed: int = 0, device: str = "auto",
             dataset: Dataset | None = None,
             inception_weights: str | Path | None = None, log: bool = True,
             progress: bool = True) -> dict[str, MetricResult]:
    """Score a run folder, a checkpoint or a `Generator` on its data set's held-out split.

    Results are appended to RUN_DIR/metrics.jsonl when `source` is a run or checkpoint.
    """
    if isinstance(source, Generator):
        generator, run_dir, source_name = source, None, "in-memory generator"
    else:
        generator = load_generator(source, device=device)
        run_dir, source_name = _run_dir_of(Path(source)), str(source)
    dataset = dataset or build_dataset(generator.config.data)
    if not dataset.is_image:
        raise ConfigError(f"evaluate scores image generators; {dataset.name!r} is toy data "
                          "(use `ganforge modes` or `ganforge theory`)")
    names = list(metrics) if metrics else default_metrics(dataset)
    if n_samples is not None and n_samples < 2:
        raise ConfigError(f"--n-samples must be >= 2 (got {n_samples})")
    context = EvaluationContext(generator, dataset, n_samples=n_samples, seed=seed,
                                progress=progress)
    start = time.perf_counter()
    results = evaluate_metrics(names, context)
    if inception_weights is not None:
        n = context.n_compare
        results[INCEPTION_FID] = MetricResult(
            inception_fid(generator, dataset, inception_weights, n, seed), {},
            {"n_samples": n, "weights": str(inception_weights)})
    seconds = time.perf_counter() - start
    if log and run_dir is not None:
        network = context._classifier.describe() if context._classifier else None
        with (run_dir / METRICS_LOG).open("a", encoding="utf-8") as file:
            for name, result in results.items():
                file.write(json.dumps(_record(name, result, generator, dataset, seed,
                                              source_name, network, seconds)) + "\n")
    return results


def _record(name: str, result: MetricResult, generator: Generator, dataset: Dataset, seed: int,
            source: str, network: dict[str, Any] | None, seconds: float) -> dict[str, Any]:
    def finite(values: dict[str, float]) -> dict[str, float | str]:
        return {k: v if math.isfinite(v) else str(v) for k, v in values.items()}

    record: dict[str, Any] = {
        "metric": name, "values": finite(result.values), "real_floor": finite(result.floor),
        "seed": seed, "data": dataset.name, "step": generator.step, "source": source,
        "ganforge_version": __version__, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "seconds_all_metrics": round(seconds, 2), **result.settings,
    }
    if name == "parzen":
        record["sigma"] = result.values[keys.PARZEN_SIGMA]
    elif name != INCEPTION_FID:
        record["feature_network"] = network
    return record


def format_results(results: dict[str, MetricResult]) -> str:
    """A text table: each metric's value for the generator and for held-out real images."""
    lines = [f"{'metric':<26}{'generator':>14}{'real floor':>14}  settings"]
    for result in results.values():
        settings = ", ".join(f"{k}={v}" for k, v in result.settings.items()
                             if k in ("n_samples", "split", "reference"))
        for key, value in result.values.items():
            floor = result.floor.get(key)
            floor_text = "" if floor is None else f"{floor:14.4f}"
            lines.append(f"{key:<26}{value:14.4f}{floor_text:>14}  {settings}")
    return "\n".join(lines)
