"""Score finished runs again on several draws of generated samples: each figure as the mean over
the draws, with its standard error, so that two runs are compared by more than one draw's luck.

A single evaluation draws 10,000 samples with seed 0. Its FD moves by about a tenth between
sample seeds for the same generator (BENCHMARKS.md, "How far one evaluation moves"), which is
as large as many of the differences between training variants. This re-scores run folders (or
checkpoints) of one data set with seeds 0 .. N-1 and prints a Markdown table, one row per run,
the real floor last; nothing is appended to the runs' metrics.jsonl. Raw rows go to
benchmarks/results/rescore.json.

    python benchmarks/rescore.py --draws 5 --metrics fd runs/a runs/b
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
    COLUMNS,
    METRICS,
    add_draws_option,
    cell,
    draws_cell,
    merged_errors,
)
from benchmarks.results_file import load_results, save_results  # noqa: E402
from ganforge.evaluation import merged_scores  # noqa: E402
from ganforge.metrics import keys  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "rescore.json"


def score(run: Path, metrics: list[str], draws: int) -> dict[str, Any]:
    """One table row: the run's step and its values, floors and standard errors over `draws`."""
    generator = ganforge.load_generator(run)  # loaded once: scored, then read for its step
    results = ganforge.evaluate(generator, metrics=metrics, seed=0, draws=draws, log=False,
                                progress=False)
    values, floor = merged_scores(results)
    return {"run": str(run), "data": generator.config.data.name, "steps": generator.step,
            "values": values, "floor": floor, "standard_error": merged_errors(results)}


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows' columns that every row has (COLUMNS order), each value +- its s.e.; FD to
    three places, since the differences worth reading here are hundredths."""
    columns = [(title, key, 3 if key == keys.FRECHET_DISTANCE else digits)
               for title, key, digits in COLUMNS if all(key in row["values"] for row in rows)]
    header = ["run", "steps", *(title for title, _, _ in columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows:
        cells = [draws_cell(row, key, digits) for _, key, digits in columns]
        lines.append(f"| {row['run']} | {row['steps']:,} | " + " | ".join(cells) + " |")
    if rows:
        floor = [cell([rows[-1]["floor"][key]], key, digits) for _, key, digits in columns]
        lines.append("| real floor | | " + " | ".join(floor) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR|CKPT")
    add_draws_option(parser, default=5)
    parser.add_argument("--metrics", default=",".join(METRICS),
                        help=f"comma-separated (default: {','.join(METRICS)})")
    args = parser.parse_args()
    metrics = [name.strip() for name in args.metrics.split(",")]
    results = load_results(RESULTS)  # an unreadable file stops the run before it scores
    rows = []
    for run in args.runs:
        rows.append(score(run, metrics, args.draws))
        print(f"  {run}: {rows[-1]['steps']:,} steps scored", file=sys.stderr)
        if rows[-1]["data"] != rows[0]["data"]:  # one floor row per table
            parser.error(f"{run} is a {rows[-1]['data']} run and {rows[0]['run']} a "
                         f"{rows[0]['data']} one: re-score one data set per call")
    # The raw rows, keyed by run and draws, beside the other benchmarks' results.
    for row in rows:
        results[f"{row['run']}, {args.draws} draws"] = row
    save_results(results, RESULTS)
    print(markdown(rows))


if __name__ == "__main__":
    main()
