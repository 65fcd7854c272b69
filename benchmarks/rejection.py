"""Discriminator rejection sampling (`ganforge sample --reject Q`): what keeping G's samples by
D's density ratio does to a trained run's scores, with the quantile chosen on one set of samples
and reported on others.

For each run folder, every quantile of --quantiles is scored by FD on evaluation seed 1000's
samples with full MNIST's 10,000 validation digits as the floor (a data set without a
validation split, Fashion-MNIST, lends as many of its training images as it has test images:
`Dataset.carve_validation`), and the one with the lowest FD is chosen. Then the standard
evaluation (seeds 0 .. draws-1, the test images as the floor; FD, KID, precision / recall /
density / coverage, class coverage) scores G's plain samples and the chosen quantile's. With a
single quantile nothing is chosen. Prints a table; raw results go to
benchmarks/results/rejection.json.

    python benchmarks/rejection.py RUN [RUN ...] --quantiles 0.5 0.8 0.95 1.0 --draws 3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from benchmarks.quality_vs_peer import (  # noqa: E402
    add_draws_option,
    draws_cell,
    merged_errors,
)
from benchmarks.results_file import load_results, save_results  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.evaluation import merged_scores  # noqa: E402
from ganforge.metrics import keys  # noqa: E402
from ganforge.rejection import RejectionSampler, load_rejection_sampler  # noqa: E402
from ganforge.sampler import Sampler  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "rejection.json"
CHOICE_SEED = 1_000
REPORT_METRICS = ("fd", "kid", "prdc", "class_coverage")
COLUMNS = [("FD", keys.FRECHET_DISTANCE, 3), ("KID x 1000", keys.KID, 2),
           ("precision", keys.PRECISION, 3), ("recall", keys.RECALL, 3),
           ("density", keys.DENSITY, 3), ("coverage", keys.COVERAGE, 3),
           ("class KL", keys.CLASS_COVERAGE_KL, 4)]


def scored(generator: Sampler, dataset: Any, metrics: tuple[str, ...], seed: int,
           draws: int) -> dict[str, Any]:
    results = ganforge.evaluate(generator, metrics=metrics, dataset=dataset, seed=seed,
                                draws=draws, log=False, progress=False)
    values, floor = merged_scores(results)
    row = {"step": generator.step, "values": values, "floor": floor,
           "standard_error": merged_errors(results)}
    if isinstance(generator, RejectionSampler):
        row |= {"quantile": generator.quantile, "log_m": generator.log_m,
                "acceptance_rate": generator.acceptance_rate}
    return row


def choose(run: Path, quantiles: list[float], choice_data: Any) -> list[dict[str, Any]]:
    """Each quantile's FD on the choice samples, against the validation floor."""
    choices = []
    for quantile in quantiles:
        row = scored(load_rejection_sampler(run, quantile=quantile), choice_data, ("fd",),
                     CHOICE_SEED, 1)
        print(f"  {run.name}: quantile {quantile}: FD {row['values'][keys.FRECHET_DISTANCE]:.3f}"
              f" on validation, {row['acceptance_rate']:.1%} kept", file=sys.stderr, flush=True)
        choices.append(row)
    return choices


def study(run: Path, quantiles: list[float], draws: int) -> dict[str, Any]:
    plain = ganforge.load_generator(run)
    dataset = ganforge.build_dataset(plain.config.data)
    # A single quantile is given, not chosen: no validation images needed.
    choices = [] if len(quantiles) == 1 else choose(
        run, quantiles, dataset.validation_as_held_out())
    chosen = min(choices, key=lambda row: row["values"][keys.FRECHET_DISTANCE])["quantile"] \
        if choices else quantiles[0]
    return {"choices": choices, "chosen": chosen,
            "plain": scored(plain, dataset, REPORT_METRICS, 0, draws),
            "rejection": scored(load_rejection_sampler(run, quantile=chosen), dataset,
                                REPORT_METRICS, 0, draws)}


def markdown(results: dict[str, Any], draws: int) -> str:
    names = " | ".join(name for name, _, _ in COLUMNS)
    lines = [f"| run | steps | samples ({draws} draws, test floor) | kept | {names} |",
             "| --- | --- | --- | --- | " + " | ".join("---" for _ in COLUMNS) + " |"]
    for run, study_ in results.items():
        for label, row in (("G's samples", study_["plain"]),
                           (f"rejection, quantile {study_['chosen']}", study_["rejection"])):
            kept = f"{row['acceptance_rate']:.1%}" if "acceptance_rate" in row else "100%"
            cells = [draws_cell(row, key, digits) for _, key, digits in COLUMNS]
            lines.append(f"| {Path(run).name} | {row['step']:,} | {label} | {kept} | "
                         + " | ".join(cells) + " |")
        floor = {"values": study_["plain"]["floor"]}  # no standard error: the value alone
        lines.append("| real floor | | | | " + " | ".join(
            draws_cell(floor, key, digits) for _, key, digits in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", metavar="RUN_DIR")
    parser.add_argument("--quantiles", type=float, nargs="+", default=[0.5, 0.8, 0.95, 1.0],
                        help="the quantiles of D's density ratio to choose M from")
    add_draws_option(parser, default=3)
    args = parser.parse_args()
    results = load_results(RESULTS)
    fresh = {}
    try:
        for run in args.runs:
            fresh[str(run)] = results[str(run)] = study(run, args.quantiles, args.draws)
    except GanforgeError as error:
        sys.exit(f"error: {error}")
    save_results(results, RESULTS)
    print(markdown(fresh, args.draws))


if __name__ == "__main__":
    main()
