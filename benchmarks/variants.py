"""Preset variants at equal training time: one preset with a few config changes each, trained for
the same CPU minutes on the same cores and scored exactly as quality_vs_peer.py scores it (FD,
KID, precision / recall / density / coverage and class coverage on the held-out split, 10,000
samples, evaluation seed 0).

This is the quick screen that comes before a preset change: a variant that does not beat the
preset here is not worth a 30-minute quality_vs_peer run. Every variant is a name followed by
dotted `key=value` overrides (as `ganforge train` takes them); a name with no overrides is the
preset itself, the baseline each variant is read against. Prints a Markdown table and adds the
raw rows to benchmarks/results/variants.json (keyed by data set, preset and minutes). Each
variant trains in --runs/NAME; a folder left by an earlier call is refused (ganforge never
trains over a run), so remove it or pass another --runs.

    python benchmarks/variants.py --preset mnist-dcgan --minutes 5 --variant preset \\
        --variant hinge loss.name=hinge --variant ttur train.g_lr=1e-4 train.d_lr=4e-4
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.overrides import parse_overrides  # noqa: E402
from benchmarks.quality_vs_peer import COLUMNS, cell, train_preset  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "variants.json"


def parse_variant(tokens: list[str]) -> tuple[str, dict[str, str]]:
    """`NAME key=value ...` as (NAME, {key: value}); a SystemExit naming the bad token."""
    name, *settings = tokens
    return name, parse_overrides(settings, f"variant {name}")


def markdown(rows: dict[str, dict[str, Any]]) -> str:
    header = ["variant", "overrides", "steps", *(title for title, _, _ in COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    floor = None
    for name, row in rows.items():
        changes = ", ".join(f"`{key}={value}`" for key, value in row["overrides"].items())
        cells = [cell([row["values"][key]], key, digits) for _, key, digits in COLUMNS]
        lines.append(f"| {name} | {changes or '(the preset)'} | {row['steps']:,} | "
                     + " | ".join(cells) + " |")
        floor = row["floor"]
    if floor is not None:
        cells = [cell([floor[key]], key, digits) for _, key, digits in COLUMNS]
        lines.append("| real floor | | | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True)
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", nargs="+", action="append", required=True,
                        metavar="NAME [KEY=VALUE ...]")
    parser.add_argument("--runs", type=Path, default=ROOT / "runs" / "variants")
    args = parser.parse_args()
    variants = dict(parse_variant(tokens) for tokens in args.variant)
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    key = f"{args.preset}, {args.minutes:g} min, seed {args.seed}"
    rows: dict[str, dict[str, Any]] = {}
    for name, overrides in variants.items():
        print(f"{args.preset} {name}: {args.minutes:g} min", file=sys.stderr)
        rows[name] = train_preset(args.preset, args.data, args.seed, [args.minutes],
                                  args.runs / name, overrides=overrides)[0]
        rows[name]["overrides"] = overrides
        # Saved after every variant: a later one failing loses none of the minutes spent so far.
        results.setdefault(args.data, {}).setdefault(key, {})[name] = rows[name]
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    print(markdown(rows))


if __name__ == "__main__":
    main()
