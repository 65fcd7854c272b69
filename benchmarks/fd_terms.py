"""Where a run's Fréchet distance comes from at each sampling temperature: the term for the
shift between the samples' and the training images' feature means, the term for their unlike
spreads, and the samples' total feature variance as a fraction of the training images' (below 1:
samples more alike than real images are). The held-out test images against the training images
give the floor of each figure. Written to see why some runs gain more from a temperature above
1 than others (BENCHMARKS.md, "What the temperature changes: FD's two terms").

Scored as the standard evaluation scores FD: the feature classifier's features, as many samples
as test images, evaluation seed --seed (0: the report's first draw).

    python benchmarks/fd_terms.py --runs RUN [RUN ...] --temperatures 1.0 1.1 1.2 [--tag TAG] \
        [--raw-weights | --average-only LAYER [LAYER ...]]

--raw-weights scores G's trained weights instead of their moving average; --average-only LAYER
[LAYER ...] the average inside the modules so named (dotted paths, e.g. base.project) and the
trained weights elsewhere. --measure-batchnorm N first replaces the statistics G's BatchNorms
kept from training with those of its own activations over N batches (as large as G trained on)
of draws at T = 1.
Raw results are added to benchmarks/results/fd_terms.json, keyed by run folder name (or
TAG/name; then /raw-weights or /average-only=LAYER,..., and /measure-batchnorm=N). A key that
holds another run's study (another step or configuration) is refused before scoring: pass --tag
to keep both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.batchnorm_stats import (  # noqa: E402
    add_measure_option,
    measure_for_study,
    measured_key,
    report_moved,
)
from benchmarks.results_file import load_results, refuse_another_run, save_results  # noqa: E402
from benchmarks.temperature import fingerprint, run_key  # noqa: E402
from ganforge.checkpoint import load_checkpoint  # noqa: E402
from ganforge.data import build_dataset  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.metrics.context import EvaluationContext  # noqa: E402
from ganforge.metrics.frechet import frechet_terms  # noqa: E402
from ganforge.sampler import Sampler, averaged_weights, generator_from_payload  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fd_terms.json"
FLOOR = "floor"
"""The row label of the held-out test images."""


def terms_row(label: str | float, train: Tensor, features: Tensor) -> dict[str, Any]:
    """One row of the table: `features` (samples at a temperature, or the test images) against
    the training images' features."""
    terms = frechet_terms(train, features)
    return {"temperature": label, "frechet_distance": terms.total, "mean_term": terms.mean,
            "covariance_term": terms.covariance, "spread_ratio": terms.spread_ratio}


def markdown(results: dict[str, Any]) -> str:
    """One table row per run and temperature, the floor first."""
    lines = ["| run | steps | temperature | FD | mean term | covariance term | "
             "feature variance / training images' |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for key, study in results.items():
        for row in study["rows"]:
            label = row["temperature"]
            label = "test images (floor)" if label == FLOOR else f"{label:g}"
            lines.append(f"| {key} | {study['step']:,} | {label} | "
                         f"{row['frechet_distance']:.3f} | {row['mean_term']:.3f} | "
                         f"{row['covariance_term']:.3f} | {row['spread_ratio']:.3f} |")
    return "\n".join(lines)


def study(generator: Sampler, name: str, temperatures: list[float],
          seed: int) -> dict[str, Any]:
    """The floor's terms, then each temperature's on a fresh draw of evaluation seed `seed`."""
    context = EvaluationContext(generator, build_dataset(generator.config.data), seed=seed,
                                progress=False)
    train = context.outputs("train", features=True)
    rows = [terms_row(FLOOR, train, context.outputs("test", features=True))]
    for temperature in temperatures:
        generator.temperature = temperature
        # A fresh draw at each temperature, on the cached real features and classifier.
        samples = context.redraw(seed).outputs("fake", features=True)
        rows.append(terms_row(temperature, train, samples))
        print(f"{name}: T {temperature:g} FD {rows[-1]['frechet_distance']:.3f}", flush=True)
    return {"step": generator.step, "seed": seed, "rows": rows}


def in_layer(name: str, layer: str) -> bool:
    """Whether the parameter or buffer `name` belongs to the module `layer` (a dotted path):
    whole components only, so that `base.project` holds `base.project.0.weight` but not a
    sibling named `base.projector`."""
    return name == layer or name.startswith(layer + ".")


def average_only(generator: Sampler, average: dict[str, Tensor] | None, run_dir: Path,
                 layers: list[str]) -> None:
    """Give `generator`, loaded with G's trained weights, the moving average's values
    (`average`, from the run's checkpoint) of every parameter and buffer inside one of `layers`
    (a BatchNorm's statistics follow its layer): to see which layers' averaging moves the
    samples."""
    if average is None:
        raise GanforgeError(f"{run_dir} keeps no moving average of G (train.ema_decay 0)")
    state = generator.network.state_dict()
    for layer in layers:
        if not any(in_layer(name, layer) for name in state):
            known = sorted({".".join(name.split(".")[:2]) for name in state})
            raise GanforgeError(f"--average-only {layer!r} names none of G's layers; they "
                                f"include {', '.join(known)}")
    state.update({name: average[name] for name in state
                  if any(in_layer(name, layer) for layer in layers)})
    generator.network.load_state_dict(state)


def study_run(stored: dict[str, Any], key: str, run_dir: Path, temperatures: list[float],
              seed: int, *, use_ema: bool = True, averaged: list[str] | None = None,
              batchnorm_batches: int = 0) -> dict[str, Any]:
    """`study` of G's moving average (or, `use_ema` False, its trained weights; `averaged`
    names set, the average for those layers and the trained weights elsewhere) in `run_dir`,
    with BatchNorm statistics measured on `batchnorm_batches` batches when that is above 0;
    refused before any scoring when `key` holds another run's study."""
    payload = load_checkpoint(run_dir)  # read once: G, and the average --average-only mixes in
    generator = generator_from_payload(payload, torch.device("cpu"),
                                       use_ema=use_ema and not averaged)
    weights = "moving average" if use_ema else "trained"
    if averaged:
        average_only(generator, averaged_weights(payload), run_dir, averaged)
        weights = f"moving average for {', '.join(averaged)}; trained elsewhere"
    config = fingerprint(generator)
    if key in stored:
        refuse_another_run(RESULTS.name, key, stored[key]["step"], stored[key].get("config"),
                           generator.step, config)
    moved: dict[str, Any] = {}
    if batchnorm_batches:
        measurement = measure_for_study(generator, batchnorm_batches)
        moved["batchnorm_moved"] = measurement.moved
        weights += (f"; BatchNorm statistics measured on {batchnorm_batches} batches of "
                    f"{measurement.batch_size}")
        report_moved(run_dir.name, moved["batchnorm_moved"])
    return {**study(generator, run_dir.name, temperatures, seed), "config": config,
            "weights": weights, **moved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", type=Path, required=True, help="run folders")
    parser.add_argument("--temperatures", nargs="+", type=float, default=[1.0, 1.1, 1.2])
    parser.add_argument("--seed", type=int, default=0, help="the samples' evaluation seed")
    parser.add_argument("--tag", help="key the runs as TAG/FOLDER_NAME in fd_terms.json")
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--raw-weights", action="store_true",
                         help="score G's trained weights rather than their moving average")
    weights.add_argument("--average-only", nargs="+", metavar="LAYER",
                         help="the moving average only inside G's modules so named (a dotted "
                              "path such as base.project), the trained weights elsewhere")
    add_measure_option(parser)
    args = parser.parse_args()
    stored = load_results(RESULTS)
    fresh: dict[str, Any] = {}
    suffix = "/raw-weights" if args.raw_weights else \
        f"/average-only={','.join(args.average_only)}" if args.average_only else ""
    try:
        for run_dir in args.runs:
            key = measured_key(run_key(run_dir, args.tag) + suffix, args.measure_batchnorm)
            fresh[key] = stored[key] = study_run(stored, key, run_dir, args.temperatures,
                                                 args.seed, use_ema=not args.raw_weights,
                                                 averaged=args.average_only,
                                                 batchnorm_batches=args.measure_batchnorm)
            save_results(stored, RESULTS)
    except GanforgeError as error:  # a missing or unreadable run folder: one line
        sys.exit(f"error: {error}")
    print(markdown(fresh))


if __name__ == "__main__":
    main()
