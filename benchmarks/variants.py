"""Preset variants at equal training time: one preset with a few config changes each, trained for
the same CPU minutes on the same cores and scored exactly as quality_vs_peer.py scores it (FD,
KID, precision / recall / density / coverage and class coverage on the held-out split, 10,000
samples, evaluation seeds 0 to 4: each figure is the mean over five draws of samples, with
its standard error; `--draws 1` scores seed 0 alone, as rows before 2026-11-30's fifth session
were).

This is the quick screen that comes before a preset change: a variant that does not beat the
preset here is not worth a 30-minute quality_vs_peer run. Every variant is a name followed by
dotted `key=value` overrides (as `ganforge train` takes them); a name with no overrides is the
preset itself, the baseline each variant is read against. Prints a Markdown table and adds the
raw rows to benchmarks/results/variants.json (keyed by data set, preset and minutes). Each
variant trains in --runs/NAME; a folder left by an earlier call is refused (ganforge never
trains over a run), so remove it or pass another --runs.

    python benchmarks/variants.py --preset mnist-dcgan --minutes 5 --variant preset \\
        --variant hinge loss.name=hinge --variant ttur train.g_lr=1e-4 train.d_lr=4e-4

Equal minutes is the budget a user has, but on a shared machine the cores' speed can drift by a
quarter between two variants of one call. For variants whose step costs what the preset's does
(a learning rate, an EMA decay, a loss), `--steps N` trains each for exactly N steps instead, so
the drift drops out; --minutes is then only a cap, and a variant stopped by it is reported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.overrides import parse_overrides  # noqa: E402
from benchmarks.quality_vs_peer import (  # noqa: E402
    COLUMNS,
    add_draws_option,
    at_least_one,
    cell,
    draws_cell,
    preset_run_dir,
    train_preset,
)
from benchmarks.results_file import load_results, save_results  # noqa: E402
from ganforge.training.run_log import read_log  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "variants.json"


def parse_variant(tokens: list[str]) -> tuple[str, dict[str, str]]:
    """`NAME key=value ...` as (NAME, {key: value}); a SystemExit naming the bad token."""
    name, *settings = tokens
    return name, parse_overrides(settings, f"variant {name}")


def step_budget(steps: int | None) -> dict[str, str]:
    """The settings that stop every variant after `steps` steps (None: the time limit decides)."""
    return {} if steps is None else {"train.steps": str(steps)}


def training_minutes(run_dir: Path) -> float:
    """Minutes of training up to the run's last logged step, read from its train.jsonl."""
    return float(read_log(run_dir)[-1]["elapsed_s"]) / 60


def markdown(rows: dict[str, dict[str, Any]]) -> str:
    header = ["variant", "overrides", "steps", *(title for title, _, _ in COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    floor = None
    for name, row in rows.items():
        changes = ", ".join(f"`{key}={value}`" for key, value in row["overrides"].items())
        cells = [draws_cell(row, key, digits) for _, key, digits in COLUMNS]
        steps = f"{row['steps']:,}"
        if "train_minutes" in row:
            steps += f" ({row['train_minutes']:.1f} min)"
        lines.append(f"| {name} | {changes or '(the preset)'} | {steps} | "
                     + " | ".join(cells) + " |")
        floor = row["floor"]
    if floor is not None:
        cells = [cell([floor[key]], key, digits) for _, key, digits in COLUMNS]
        lines.append("| real floor | | | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", required=True)
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--minutes", type=float, default=5.0,
                        help="training minutes per variant (with --steps: a cap)")
    parser.add_argument("--steps", type=at_least_one, default=None,
                        help="train every variant for exactly this many steps instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", nargs="+", action="append", required=True,
                        metavar="NAME [KEY=VALUE ...]")
    parser.add_argument("--runs", type=Path, default=ROOT / "runs" / "variants")
    add_draws_option(parser, default=5)
    args = parser.parse_args()
    variants = dict(parse_variant(tokens) for tokens in args.variant)
    results = load_results(RESULTS)
    budget = f"{args.steps} steps" if args.steps else f"{args.minutes:g} min"
    key = f"{args.preset}, {budget}, seed {args.seed}"
    rows: dict[str, dict[str, Any]] = {}
    for name, overrides in variants.items():
        print(f"{args.preset} {name}: {budget}", file=sys.stderr)
        rows[name] = train_preset(args.preset, args.data, args.seed, [args.minutes],
                                  args.runs / name,
                                  overrides={**step_budget(args.steps), **overrides},
                                  draws=args.draws)[0]
        rows[name]["overrides"] = overrides
        if args.steps:
            run_dir = preset_run_dir(args.runs / name, args.data, args.preset, args.seed)
            rows[name]["train_minutes"] = training_minutes(run_dir)
            if rows[name]["steps"] < args.steps:
                print(f"  {name} stopped at the {args.minutes:g}-minute cap after "
                      f"{rows[name]['steps']:,} of {args.steps:,} steps: not comparable; "
                      "raise --minutes", file=sys.stderr)
        # Saved after every variant: a later one failing loses none of the minutes spent so far.
        results.setdefault(args.data, {}).setdefault(key, {})[name] = rows[name]
        save_results(results, RESULTS, indent=2)
    print(markdown(rows))


if __name__ == "__main__":
    main()
