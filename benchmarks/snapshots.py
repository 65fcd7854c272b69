"""Choosing among a run's late checkpoints and a sampling temperature together, on validation
images, and reporting the choice on the test draws beside the last checkpoint's own.

A run that keeps its checkpoints (`train.keep_checkpoint_every_steps`) holds G's weights at
many steps, and FD moves between them even where it has stopped falling. For each kept
checkpoint from --from-step on, and for the last one (latest.pt), every temperature of
--temperatures is scored on the samples of evaluation seed --choice-seed against the validation
images (`ganforge.choose_temperature`, by the lowest FD, as `ganforge tune-temperature` does;
Fashion-MNIST lends its validation images from the training set). The pair of a checkpoint and
a temperature with the lowest validation FD is chosen. Then the standard evaluation (the
samples of seeds 0 .. draws-1 against the test images; FD, KID, PRDC, class coverage) scores the
chosen pair and, beside it, the last checkpoint at its own chosen temperature: what sampling
the run's end would give. Prints both tables; raw results are added to
benchmarks/results/snapshots.json, keyed by run folder name (or TAG/name with --tag TAG).

    python benchmarks/snapshots.py --runs RUN [RUN ...] --from-step 20000 \\
        --temperatures 1.1 1.15 1.2 1.25 --choice-seed 1000 --draws 3 [--tag TAG]
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
from benchmarks.quality_vs_peer import METRICS, add_draws_option, draws_cell  # noqa: E402
from benchmarks.results_file import load_results, refuse_another_run, save_results  # noqa: E402
from benchmarks.temperature import (  # noqa: E402
    REPORT_SEED,
    fingerprint,
    refuse_choice_among_report_draws,
    run_key,
    score,
)
from ganforge.checkpoint import kept_checkpoints, resolve_checkpoint  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.metrics import keys  # noqa: E402
from ganforge.sampler import check_temperature  # noqa: E402
from ganforge.temperature import choose_temperature  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "snapshots.json"
LAST, CHOSEN = "last checkpoint", "chosen checkpoint"
COLUMNS = [("FD", keys.FRECHET_DISTANCE, 3), ("KID x 1000", keys.KID, 2),
           ("precision", keys.PRECISION, 3), ("recall", keys.RECALL, 3),
           ("density", keys.DENSITY, 3), ("coverage", keys.COVERAGE, 3)]


def candidates(run_dir: Path, from_step: int) -> list[Path]:
    """The checkpoints to choose among: those the run kept from `from_step` on, then latest.pt.
    A SystemExit when the run kept none there (nothing to choose but the last)."""
    latest = resolve_checkpoint(run_dir)  # a CheckpointError for a folder that is no run
    kept = [file for step, file in kept_checkpoints(run_dir) if step >= from_step]
    if not kept:
        sys.exit(f"error: {run_dir} kept no checkpoint from step {from_step:,} on (train it with "
                 f"--train.keep_checkpoint_every_steps N, or lower --from-step)")
    return [*kept, latest]


def validation_fd(row: dict[str, Any]) -> float:
    return float(row["values"][keys.FRECHET_DISTANCE])


def best_pair(checkpoints: list[dict[str, Any]]) -> tuple[int, float]:
    """(index into `checkpoints`, temperature) of the lowest validation FD; on a tie, the later
    checkpoint, then the temperature nearest 1."""
    pairs = [(validation_fd(row), -index, abs(row["temperature"] - 1), index,
              float(row["temperature"]))
             for index, checkpoint in enumerate(checkpoints) for row in checkpoint["validation"]]
    best = min(pairs)
    return best[3], best[4]


def study(run_dir: Path, from_step: int, temperatures: list[float], choice_seed: int,
          draws: int) -> dict[str, Any]:
    """One run: every candidate checkpoint at every temperature on the choice draw, then the
    chosen pair and the last checkpoint's own choice on the report's draws."""
    checkpoints: list[dict[str, Any]] = []
    files = candidates(run_dir, from_step)
    test_data = None
    for file in files:
        generator = ganforge.load_generator(file, device="cpu")
        if test_data is None:
            test_data = ganforge.build_dataset(generator.config.data)
        if checkpoints and generator.step == checkpoints[-1]["step"]:
            continue  # latest.pt saved at a kept step: the same weights
        choice = choose_temperature(generator, temperatures, seed=choice_seed, dataset=test_data,
                                    progress=False, criterion="fd")
        checkpoints.append({"file": file.name, "step": generator.step,
                            "chosen": choice.temperature, "validation": choice.scores})
        fds = ", ".join(f"T {row['temperature']:g} {validation_fd(row):.4f}"
                        for row in choice.scores)
        print(f"{run_dir.name} step {generator.step:,}: validation FD {fds}", file=sys.stderr,
              flush=True)
    assert test_data is not None
    index, temperature = best_pair(checkpoints)
    last = checkpoints[-1]
    picks = [(LAST, last, last["chosen"])]
    if index != len(checkpoints) - 1 or temperature != last["chosen"]:
        picks.append((CHOSEN, checkpoints[index], temperature))
    test = []
    for label, checkpoint, chosen in picks:
        generator = ganforge.load_generator(run_dir / "checkpoints" / checkpoint["file"],
                                            device="cpu")
        test.append({"label": label, "file": checkpoint["file"],
                     **score(generator, test_data, chosen, METRICS, REPORT_SEED, draws)})
    return {"checkpoints": checkpoints, "chosen": {"step": checkpoints[index]["step"],
                                                   "temperature": temperature},
            "test": test, "from_step": from_step}


def markdown(results: dict[str, Any]) -> str:
    """Per run: validation FD by checkpoint and temperature (the chosen pair in bold), then the
    report's rows."""
    blocks = []
    for run, rows in results.items():
        temperatures = sorted({row["temperature"] for checkpoint in rows["checkpoints"]
                               for row in checkpoint["validation"]})
        lines = [f"{run}: validation FD (choice draw), by checkpoint and temperature", "",
                 "| step | " + " | ".join(f"T = {t:g}" for t in temperatures) + " |",
                 "| --- | " + " | ".join("---" for _ in temperatures) + " |"]
        for checkpoint in rows["checkpoints"]:
            by_t = {row["temperature"]: validation_fd(row) for row in checkpoint["validation"]}
            cells = [_bold(f"{by_t[t]:.4f}", checkpoint["step"] == rows["chosen"]["step"]
                           and t == rows["chosen"]["temperature"]) if t in by_t else "-"
                     for t in temperatures]
            lines.append(f"| {checkpoint['step']:,} | " + " | ".join(cells) + " |")
        names = " | ".join(name for name, _, _ in COLUMNS)
        lines += ["", f"| {run} | step | temperature | {names} |",
                  "| --- | --- | --- | " + " | ".join("---" for _ in COLUMNS) + " |"]
        for row in rows["test"]:
            cells = " | ".join(draws_cell(row, key, digits) for _, key, digits in COLUMNS)
            lines.append(f"| {row['label']} | {row['step']:,} | {row['temperature']:g} | "
                         f"{cells} |")
        floor = {"values": rows["test"][0]["floor"]}
        cells = " | ".join(draws_cell(floor, key, digits) for _, key, digits in COLUMNS)
        lines.append(f"| real floor (test vs training images) | | | {cells} |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _bold(text: str, bold: bool) -> str:
    return f"**{text}**" if bold else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", type=Path, required=True,
                        help="run folders trained with train.keep_checkpoint_every_steps")
    parser.add_argument("--from-step", type=int, default=0,
                        help="choose among the checkpoints kept from this step on (default: all)")
    parser.add_argument("--temperatures", nargs="+", type=float, default=[1.0])
    parser.add_argument("--choice-seed", type=int, default=1000,
                        help="evaluation seed of the samples the choice is made on")
    parser.add_argument("--tag", help="key the runs as TAG/FOLDER_NAME in snapshots.json")
    add_draws_option(parser, default=1)
    args = parser.parse_args()
    refuse_choice_among_report_draws(parser, args.choice_seed, args.draws)
    stored, fresh = load_results(RESULTS), {}
    try:
        for temperature in args.temperatures:  # all of them before a run is read
            check_temperature(temperature)
        for run_dir in args.runs:
            last = ganforge.load_generator(run_dir, device="cpu")
            key, config = run_key(run_dir, args.tag), fingerprint(last)
            if key in stored:
                refuse_another_run(RESULTS.name, key, stored[key]["test"][0]["step"],
                                   stored[key]["config"], last.step, config)
            fresh[key] = stored[key] = {**study(run_dir, args.from_step, args.temperatures,
                                                args.choice_seed, args.draws), "config": config}
            save_results(stored, RESULTS)
    except GanforgeError as error:  # a missing or unreadable run folder: one line, no traceback
        sys.exit(f"error: {error}")
    print(markdown(fresh))


if __name__ == "__main__":
    main()
