"""Discriminator rejection sampling (`ganforge sample --reject Q`): what keeping G's samples by
D's density ratio does to a trained run's scores, with the quantile chosen on one set of samples
and reported on others.

For each run folder, every quantile of --quantiles is scored by FD on evaluation seed 1000's
samples with full MNIST's 10,000 validation digits as the floor (a data set without a
validation split, Fashion-MNIST, lends as many of its training images as it has test images:
`Dataset.carve_validation`), and the one with the lowest FD is chosen. Then the standard
evaluation (seeds 0 .. draws-1, the test images as the floor; FD, KID, precision / recall /
density / coverage, class coverage) scores G's plain samples and the chosen quantile's. With a
single quantile and temperature nothing is chosen. Prints a table; raw results go to
benchmarks/results/rejection.json.

With --temperatures, rejection is put on top of the sampling temperature (`ganforge sample
--temperature T --reject Q`): every pair of a temperature and a quantile is scored on the
choice samples, and so is G's own sampling at each temperature. The pair with the lowest FD is
reported beside G's samples at T = 1 and at the temperature chosen alone, so the table shows
what rejection adds to the temperature, each choice made on the same validation draw.

    python benchmarks/rejection.py RUN [RUN ...] --quantiles 0.5 0.8 0.95 1.0 --draws 3
    python benchmarks/rejection.py RUN --temperatures 1.1 1.15 1.2 1.25 --quantiles 0.95 1.0
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
from ganforge.rejection import (  # noqa: E402
    RejectionSampler,
    check_quantile,
    load_rejection_sampler,
)
from ganforge.sampler import Sampler, check_temperature  # noqa: E402

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
    row = {"step": generator.step, "temperature": generator.temperature, "values": values,
           "floor": floor, "standard_error": merged_errors(results)}
    if isinstance(generator, RejectionSampler):
        row |= {"quantile": generator.quantile, "log_m": generator.log_m,
                "acceptance_rate": generator.acceptance_rate}
    return row


def sampler(run: Path, temperature: float, quantile: float | None) -> Sampler:
    """G's own samples at `temperature` (no `quantile`), or those that pass D's test."""
    if quantile is None:
        generator = ganforge.load_generator(run)
        generator.temperature = temperature
        return generator
    return load_rejection_sampler(run, quantile=quantile, temperature=temperature)


def frechet(row: dict[str, Any]) -> float:
    return row["values"][keys.FRECHET_DISTANCE]


def choose(run: Path, temperatures: list[float], quantiles: list[float], choice_data: Any
           ) -> list[dict[str, Any]]:
    """Each temperature and quantile's FD on the choice samples, against the validation floor;
    with more than one temperature, G's own samples at each temperature too."""
    choices = []
    for temperature in temperatures:
        # D's pool of density ratios is drawn once per temperature: a quantile only moves M.
        rejection = load_rejection_sampler(run, quantile=quantiles[0], temperature=temperature)
        generators: list[Sampler] = [rejection.at_quantile(q) for q in quantiles]
        if len(temperatures) > 1:
            generators.insert(0, sampler(run, temperature, None))
        for generator in generators:
            row = scored(generator, choice_data, ("fd",), CHOICE_SEED, 1)
            kept = "G's samples" if "quantile" not in row else \
                f"quantile {row['quantile']}, {row['acceptance_rate']:.1%} kept"
            print(f"  {run.name}: T = {temperature:g}, {kept}: FD {frechet(row):.3f} on "
                  "validation", file=sys.stderr, flush=True)
            choices.append(row)
    return choices


def study(run: Path, quantiles: list[float], draws: int,
          temperatures: tuple[float, ...] | list[float] = (1.0,)) -> dict[str, Any]:
    temperatures = list(temperatures)
    plain = ganforge.load_generator(run)
    dataset = ganforge.build_dataset(plain.config.data)
    # A single quantile and temperature is given, not chosen: no validation images needed.
    choices = [] if len(quantiles) == 1 and len(temperatures) == 1 else choose(
        run, temperatures, quantiles, dataset.validation_as_held_out())
    rejected = [row for row in choices if "quantile" in row]
    best = min(rejected, key=frechet) if rejected else \
        {"quantile": quantiles[0], "temperature": temperatures[0]}
    result = {"choices": choices, "chosen": best["quantile"], "temperature": best["temperature"],
              "plain": scored(plain, dataset, REPORT_METRICS, 0, draws),
              "rejection": scored(sampler(run, best["temperature"], best["quantile"]), dataset,
                                  REPORT_METRICS, 0, draws)}
    heated = [row for row in choices if "quantile" not in row]
    if heated:  # the temperature chosen without rejection, on the same validation draw
        temperature = min(heated, key=frechet)["temperature"]
        result["heated"] = scored(sampler(run, temperature, None), dataset, REPORT_METRICS, 0,
                                  draws)
    return result


def labelled_rows(study_: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A study's report rows: G's samples at T = 1, at the temperature chosen alone (studies
    with --temperatures), and the chosen rejection."""
    heat = study_.get("temperature", 1.0)
    rows = [("G's samples", study_["plain"])]
    if "heated" in study_:
        rows.append((f"G's samples, T = {study_['heated']['temperature']:g}", study_["heated"]))
    rows.append((f"rejection, quantile {study_['chosen']}"
                 + ("" if heat == 1.0 else f", T = {heat:g}"), study_["rejection"]))
    return rows


def markdown(results: dict[str, Any], draws: int) -> str:
    names = " | ".join(name for name, _, _ in COLUMNS)
    lines = [f"| run | steps | samples ({draws} draws, test floor) | kept | {names} |",
             "| --- | --- | --- | --- | " + " | ".join("---" for _ in COLUMNS) + " |"]
    for run, study_ in results.items():
        for label, row in labelled_rows(study_):
            kept = f"{row['acceptance_rate']:.1%}" if "acceptance_rate" in row else "100%"
            cells = [draws_cell(row, key, digits) for _, key, digits in COLUMNS]
            lines.append(f"| {Path(run).name} | {row['step']:,} | {label} | {kept} | "
                         + " | ".join(cells) + " |")
        floor = {"values": study_["plain"]["floor"]}  # no standard error: the value alone
        lines.append("| real floor | | | | " + " | ".join(
            draws_cell(floor, key, digits) for _, key, digits in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="+", metavar="RUN_DIR")
    parser.add_argument("--quantiles", type=float, nargs="+", default=[0.5, 0.8, 0.95, 1.0],
                        help="the quantiles of D's density ratio to choose M from")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[1.0],
                        help="sampling temperatures to choose from, jointly with the quantile "
                             "(default: 1 only)")
    add_draws_option(parser, default=3)
    args = parser.parse_args()
    results = load_results(RESULTS)
    fresh = {}
    try:
        # Every option is checked before the first run is loaded, not minutes into a study.
        for quantile in args.quantiles:
            check_quantile(quantile)
        for temperature in args.temperatures:
            check_temperature(temperature)
        for run in args.runs:
            fresh[str(run)] = results[str(run)] = study(
                run, args.quantiles, args.draws, args.temperatures)
    except GanforgeError as error:
        sys.exit(f"error: {error}")
    save_results(results, RESULTS)
    print(markdown(fresh, args.draws))


if __name__ == "__main__":
    main()
