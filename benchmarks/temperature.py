"""Sampling temperature: what scaling the noise z does to a trained generator's scores, with the
temperature chosen on one draw of samples and reported on others.

A temperature below 1 draws z nearer the prior's centre (`ganforge sample --temperature T`):
precision and density rise, recall falls; above 1, the reverse. ganforge's metrics compare
10,000 samples with the training images, and the held-out split gives the real floor. So the
choice and the report use different samples and different floors: for each run folder, every
temperature of --temperatures is scored on the samples of evaluation seed --choice-seed (FD,
precision / recall / density / coverage) with full MNIST's 10,000 validation digits as the
floor (a data set without a validation split, Fashion-MNIST, lends as many of its training
images as it has test images: `Dataset.carve_validation`), and one is chosen by --criterion
(`ganforge.choose_temperature`, as in `ganforge tune-temperature`): by default the lowest FD;
prdc, the one whose weakest of precision / recall / density / coverage, each as a fraction of
the floor, is highest (the issue's goal asks each of the four to reach 0.9x; the studies stored
before 2026-12-06 chose by it). Then the standard evaluation (the samples of seeds 0 ..
draws-1, never the choice seed's; the test images as the floor; FD, KID, PRDC, class coverage)
scores temperature 1 and what every criterion of `ganforge.temperature.CRITERIA` chooses from
the same validation scores, so one study compares the rules. Prints both tables for this
call's runs; --write puts them into BENCHMARKS.md between the temperature markers. Raw results
are added to benchmarks/results/temperature.json, keyed by run folder name, or by TAG/name with
--tag TAG: variants.py names a run's folder after its data, preset and seed alone, so two
variants of one seed share a name, and a study of another run under a taken key is refused.
--measure-batchnorm N first measures G's BatchNorm statistics on its own activations
(`ganforge.batchnorm`, on the studies' seed 0: `benchmarks/batchnorm_stats.py`) and keys the
study KEY/measure-batchnorm=N.
--show KEY [KEY ...] scores nothing: it prints (and with --write, writes) the stored studies of
those keys, so one table can gather runs studied by different calls.

    python benchmarks/temperature.py --runs runs/quality_vs_peer/mnist-mnist-selfcond-seed0 \\
        --temperatures 0.85 0.9 0.95 1.0 --write
    python benchmarks/temperature.py --runs RUN [RUN ...] --temperatures 1.0 1.05 1.1 \\
        --choice-seed 1000 --draws 3
    python benchmarks/temperature.py --tag bf16 \\
        --runs RUNS/bf16/mnist-mnist-dcgan-selfcond-seed0 --temperatures 1.0 1.05 1.1 \\
        --choice-seed 1000 --draws 3
    python benchmarks/temperature.py --show bf16/mnist-mnist-dcgan-selfcond-seed0 \\
        bf16/mnist-mnist-dcgan-selfcond-seed1
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from benchmarks.batchnorm_stats import (  # noqa: E402
    add_measure_option,
    measure_for_study,
    measured_key,
    report_moved,
)
from benchmarks.benchmarks_file import replace_block  # noqa: E402
from benchmarks.quality_vs_peer import (  # noqa: E402
    METRICS,
    add_draws_option,
    draws_cell,
    merged_errors,
)
from benchmarks.results_file import load_results, refuse_another_run, save_results  # noqa: E402
from ganforge.config import config_to_dict  # noqa: E402
from ganforge.data import Dataset  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.evaluation import merged_scores  # noqa: E402
from ganforge.metrics import keys  # noqa: E402
from ganforge.sampler import Sampler  # noqa: E402
from ganforge.temperature import (  # noqa: E402
    CRITERIA,
    DEFAULT_CRITERION,
    choose_temperature,
    pick,
    weakest_ratio,
)

RESULTS = ROOT / "benchmarks" / "results" / "temperature.json"
START, END = "<!-- temperature:start -->", "<!-- temperature:end -->"
COLUMNS = [("FD", keys.FRECHET_DISTANCE, 3), ("precision", keys.PRECISION, 3),
           ("recall", keys.RECALL, 3), ("density", keys.DENSITY, 3),
           ("coverage", keys.COVERAGE, 3)]
REPORT_SEED = 0  # the standard evaluation's first draw
EARLY_CRITERION = "prdc"
"""The rule of the studies stored before each recorded its own (ganforge's default until
2026-12-06, when it became `fd`)."""
STUDY_OPTIONS = ("temperatures", "choice_seed", "draws", "tag", "criterion",
                 "measure_batchnorm")  # argparse dests


def score(generator: Sampler, dataset: Dataset, temperature: float, metrics: tuple[str, ...],
          seed: int, draws: int = 1) -> dict[str, Any]:
    """The scores of `draws` draws of samples at `temperature` (seeds seed, seed + 1, ...)."""
    generator.temperature = temperature
    results = ganforge.evaluate(generator, metrics=metrics, dataset=dataset, seed=seed,
                                draws=draws, log=False, progress=False)
    values, floor = merged_scores(results)
    return {"temperature": temperature, "step": generator.step, "values": values,
            "floor": floor, "weakest_ratio": weakest_ratio(values, floor), "seed": seed,
            "draws": draws, "standard_error": merged_errors(results)}


def samples_label(row: dict[str, Any], floor: str) -> str:
    """Which draws of samples a row scored (seeds before --draws existed: one draw)."""
    seed, draws = row.get("seed"), row.get("draws", 1)
    seeds = f"seed {seed}" if draws == 1 else f"seeds {seed}-{seed + draws - 1}"
    return f"{seeds if seed is not None else 'one draw'}, {floor}"


def markdown(results: dict[str, Any]) -> str:
    names = " | ".join(name for name, _, _ in COLUMNS)
    rules = " | ".join("---" for _ in COLUMNS)
    header = (f"| run | steps | samples, floor | temperature | {names} | weakest PRDC / floor |\n"
              f"| --- | --- | --- | --- | {rules} | --- |")
    lines = [header]
    for run, rows in results.items():
        for split in ("validation", "test"):
            for row in rows[split]:
                cells = " | ".join(draws_cell(row, key, digits) for _, key, digits in COLUMNS)
                chosen = choice_marks(rows, row["temperature"]) if split == "validation" \
                    else ""
                lines.append(f"| {run} | {row['step']:,} | {samples_label(row, split)} | "
                             f"{row['temperature']:g}{chosen} | {cells} | "
                             f"{row['weakest_ratio']:.3f} |")
        floor = {"values": rows["test"][0]["floor"]}
        cells = " | ".join(draws_cell(floor, key, digits) for _, key, digits in COLUMNS)
        lines.append(f"| real floor (test vs training images) | | | | {cells} | 1.000 |")
    lines += ["", summary(results)]
    return "\n".join(lines)


def choice_marks(rows: dict[str, Any], temperature: float) -> str:
    """' (chosen)' for the study's own choice; ' (NAME's choice)' for another criterion's
    (studies before criteria were stored hold only their own)."""
    marks = ["chosen"] if temperature == rows["chosen"] else []
    marks += [f"{name}'s choice" for name, chosen in rows.get("choices", {}).items()
              if name != criterion_of(rows) and chosen == temperature]
    return f" ({', '.join(marks)})" if marks else ""


def criterion_of(rows: dict[str, Any]) -> str:
    """The rule that chose a study's "chosen" temperature."""
    return str(rows.get("criterion", EARLY_CRITERION))


def report_row(rows: dict[str, Any], temperature: float) -> dict[str, Any]:
    """A study's standard evaluation (test draws) at `temperature`."""
    return next(row for row in rows["test"] if row["temperature"] == temperature)


def summary(results: dict[str, Any]) -> str:
    """The rule(s) that chose and the chosen temperatures, and the standard evaluation's weakest
    PRDC ratio and FD at T = 1 and at the chosen temperature, each a mean over the runs."""
    rules = " / ".join(repr(name) for name in sorted({criterion_of(rows)
                                                       for rows in results.values()}))
    chosen = [rows["chosen"] for rows in results.values()]
    at_chosen = [report_row(rows, rows["chosen"]) for rows in results.values()]
    at_one = [report_row(rows, 1.0) for rows in results.values()]
    fd = keys.FRECHET_DISTANCE
    floor = statistics.mean(row["floor"][fd] for row in at_one)
    fd_one = statistics.mean(row["values"][fd] for row in at_one)
    fd_chosen = statistics.mean(row["values"][fd] for row in at_chosen)
    return (f"Chosen by {rules}: temperatures {', '.join(f'{t:g}' for t in chosen)}; in the "
            f"standard evaluation the weakest of precision / recall / density / coverage is "
            f"{statistics.mean(row['weakest_ratio'] for row in at_chosen):.3f}x the floor at "
            f"the chosen temperature, and FD is {fd_chosen:.3f} ({fd_chosen / floor:.2f}x the "
            f"floor {floor:.4f}) against {fd_one:.3f} ({fd_one / floor:.2f}x) at T = 1 "
            f"(means over {len(results)} run(s)).{other_criteria(results)}")


def other_criteria(results: dict[str, Any]) -> str:
    """For each criterion other than the studies' own, when every study holds its choice: those
    temperatures and the mean test FD at them ('' for studies stored before choices were)."""
    fd = keys.FRECHET_DISTANCE
    text = ""
    for name in CRITERIA:
        rows_of = [rows for rows in results.values()
                   if name in rows.get("choices", {})
                   and name != criterion_of(rows)]
        if len(rows_of) != len(results):
            continue
        picked = [rows["choices"][name] for rows in rows_of]
        fd_mean = statistics.mean(report_row(rows, rows["choices"][name])["values"][fd]
                                  for rows in rows_of)
        text += (f" By {name!r}: temperatures "
                 f"{', '.join(f'{t:g}' for t in picked)}, FD {fd_mean:.3f}.")
    return text


def run_key(run_dir: Path, tag: str | None) -> str:
    """The run's key in a study's results (temperature.json, fd_terms.json): its folder name,
    under TAG/ when one is given."""
    return run_dir.name if tag is None else f"{tag}/{run_dir.name}"


def fingerprint(generator: Sampler) -> str:
    """A short digest of the run's whole configuration: two variants of one seed trained for the
    same `--steps` share a folder name and a step, but not this."""
    text = json.dumps(config_to_dict(generator.config), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def refuse_other_run(stored: dict[str, Any], key: str, step: int, config: str) -> None:
    """A SystemExit if `key` already holds the study of another run (another step or another
    configuration; entries from before the configuration was stored are compared by step).
    The same run studied again replaces its entry."""
    rows = stored.get(key)
    if rows is not None:
        refuse_another_run(RESULTS.name, key, rows["test"][0]["step"], rows.get("config"),
                           step, config)


def stored_studies(stored: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """The stored studies of `wanted`, in that order; a SystemExit naming the closest stored
    keys when one is missing (a typo, or a study never run on this machine's results file)."""
    missing = [key for key in wanted if key not in stored]
    if missing:
        near = difflib.get_close_matches(missing[0], list(stored), n=3, cutoff=0.5)
        sys.exit(f"error: {RESULTS.name} holds no study keyed {missing[0]!r}; keys like it: "
                 f"{', '.join(near) if near else 'none'}")
    return {key: stored[key] for key in wanted}


def refuse_choice_among_report_draws(parser: argparse.ArgumentParser, choice_seed: int,
                                     draws: int) -> None:
    """A usage error when the choice draw's seed is one the report scores: a choice must not
    see the samples its report does."""
    if REPORT_SEED <= choice_seed < REPORT_SEED + draws:
        parser.error(f"--choice-seed {choice_seed} is one of the report's draws (seeds "
                     f"{REPORT_SEED} to {REPORT_SEED + draws - 1}): choose on other "
                     f"samples, e.g. --choice-seed 1000")


def study(generator: Sampler, name: str, temperatures: list[float], choice_seed: int,
          draws: int, criterion: str = DEFAULT_CRITERION) -> dict[str, Any]:
    """One run: every temperature on the choice draw (validation floor), then on the report's
    draws (test floor) T = 1 and what each criterion of CRITERIA chooses from the same
    validation scores, so that the rules compare on one study; `criterion`'s is "chosen"."""
    test_data = ganforge.build_dataset(generator.config.data)
    choice = choose_temperature(generator, temperatures, seed=choice_seed, dataset=test_data,
                                progress=False, criterion=criterion)
    for row in choice.scores:
        print(f"{name}: T {row['temperature']:g} on validation, weakest PRDC / floor "
              f"{row['weakest_ratio']:.3f}, FD {row['values'][keys.FRECHET_DISTANCE]:.4f}",
              file=sys.stderr, flush=True)
    choices = {rule: pick(choice.scores, rule) for rule in CRITERIA}
    test = [score(generator, test_data, t, METRICS, REPORT_SEED, draws)
            for t in sorted({1.0, *choices.values()})]
    return {"validation": choice.scores, "chosen": choice.temperature, "criterion": criterion,
            "choices": choices, "test": test, "held_out": choice.held_out}


def main() -> None:
    # No abbreviations: --show's check below looks for the study options as typed.
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--runs", nargs="+", type=Path, help="trained run folders to study")
    source.add_argument("--show", nargs="+", metavar="KEY",
                        help="print the stored studies of these temperature.json keys; "
                             "scores nothing")
    parser.add_argument("--temperatures", nargs="+", type=float,
                        default=[0.85, 0.9, 0.95, 1.0])
    parser.add_argument("--choice-seed", type=int, default=1,
                        help="evaluation seed of the samples the temperature is chosen on")
    add_draws_option(parser, default=1)
    parser.add_argument("--criterion", default=DEFAULT_CRITERION, choices=list(CRITERIA),
                        help=f"the rule whose choice is 'chosen' ({', '.join(CRITERIA)}); "
                             "every rule's choice is reported on the test split")
    parser.add_argument("--tag", help="key the runs as TAG/FOLDER_NAME in temperature.json "
                        "(for a variant whose folder name another run already has)")
    add_measure_option(parser)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if args.show:
        # Options that only steer a study: given with --show they would silently do nothing,
        # even when the value given is the default (so the command line is read, not args).
        typed = {word.split("=", 1)[0] for word in sys.argv[1:]}
        ignored = [option for option in (f"--{dest.replace('_', '-')}" for dest in STUDY_OPTIONS)
                   if option in typed]
        if ignored:
            parser.error(f"--show scores nothing, so {', '.join(ignored)} would have no effect: "
                         "drop it (--show takes full keys, TAG/FOLDER_NAME)")
    stored = load_results(RESULTS)
    if args.show:
        publish(markdown(stored_studies(stored, args.show)), write=args.write)
        return
    refuse_choice_among_report_draws(parser, args.choice_seed, args.draws)
    fresh: dict[str, Any] = {}
    try:
        for run_dir in args.runs:
            generator = ganforge.load_generator(run_dir, device="cpu")
            key = measured_key(run_key(run_dir, args.tag), args.measure_batchnorm)
            config = fingerprint(generator)
            refuse_other_run(stored, key, generator.step, config)
            moved: dict[str, Any] = {}
            if args.measure_batchnorm:  # after the refusal: nothing is measured for a taken key
                moved["batchnorm_moved"] = measure_for_study(generator,
                                                             args.measure_batchnorm).moved
                report_moved(key, moved["batchnorm_moved"])
            fresh[key] = stored[key] = {**study(generator, key, args.temperatures,
                                                args.choice_seed, args.draws, args.criterion),
                                        "config": config, **moved}
            save_results(stored, RESULTS)
    except GanforgeError as error:  # a missing or unreadable run folder: one line, no traceback
        sys.exit(f"error: {error}")
    publish(markdown(fresh), write=args.write)


def publish(text: str, *, write: bool) -> None:
    """Print the tables; with `write`, also put them between BENCHMARKS.md's markers."""
    print(text)
    if write:
        replace_block(f"{START}\n{text}\n{END}", START, END, "Sampling temperature")


if __name__ == "__main__":
    main()
