"""How much of what measuring G's BatchNorm statistics does to FD is the measurement's own noise?

For each run, at one temperature, scores FD on the same report draws (sample seeds 0 .. D-1)
with the statistics training kept and with statistics measured on each of several noise seeds
(`ganforge.batchnorm.measure_batchnorm`), and prints every draw's FD, each row's mean, and each
measured row's mean difference from the kept row, paired by draw:

    python benchmarks/batchnorm_seeds.py --runs RUN --temperature 1.15 \
        --measure-seeds 0 2000 3000 4000 --batches 100 --draws 3

Seed 0 draws the same noise as the report's first draw (what `--measure-batchnorm` in
`fd_terms.py` and `temperature.py` measure on); 2000 is the library's default (MEASURE_SEED).
Results print as a markdown table; nothing is stored.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from benchmarks.quality_vs_peer import at_least_one  # noqa: E402
from ganforge.batchnorm import measure_batchnorm  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.metrics import keys  # noqa: E402
from ganforge.metrics.context import EvaluationContext  # noqa: E402
from ganforge.metrics.registry import METRICS  # noqa: E402


def fd_per_draw(context: EvaluationContext, draws: int) -> list[float]:
    """FD of one draw of samples per sample seed 0 .. draws - 1, against the test split, on the
    context's real-image features (computed once, shared by every draw)."""
    return [METRICS["fd"].compute(context.redraw(seed)).values[keys.FRECHET_DISTANCE]
            for seed in range(draws)]


def compare(run: Path, temperature: float, seeds: list[int], batches: int,
            draws: int) -> list[tuple[str, list[float]]]:
    """(label, FD per draw) for the kept statistics, then for each measurement seed. One G is
    measured again for each seed: a measurement replaces the statistics whole (update_bn starts
    from reset ones), so none depends on the one before."""
    generator = ganforge.load_generator(run, device="cpu", temperature=temperature)
    context = EvaluationContext(generator, ganforge.build_dataset(generator.config.data),
                                progress=False)
    rows = [("kept", fd_per_draw(context, draws))]
    for seed in seeds:
        start = time.perf_counter()
        measure_batchnorm(generator, batches, seed=seed)
        seconds = time.perf_counter() - start
        rows.append((f"measured, seed {seed}", fd_per_draw(context, draws)))
        print(f"{run.name}: {rows[-1][0]} ({batches} batches in {seconds:.1f} s): "
              f"{rows[-1][1]}", file=sys.stderr, flush=True)
    return rows


def markdown(run: Path, temperature: float, rows: list[tuple[str, list[float]]]) -> str:
    draws = len(rows[0][1])
    lines = [f"| {run.name}, T = {temperature:g} | "
             + " | ".join(f"FD, draw {seed}" for seed in range(draws))
             + " | mean | measured - kept, paired |",
             "| --- " * (draws + 3) + "|"]
    kept = rows[0][1]
    for label, values in rows:
        differences = [value - base for value, base in zip(values, kept, strict=True)]
        paired = "" if label == "kept" else \
            f"{statistics.fmean(differences):+.4f}" + (
                f" +- {statistics.stdev(differences) / len(differences) ** 0.5:.4f}"
                if len(differences) > 1 else "")
        lines.append(f"| {label} | " + " | ".join(f"{value:.4f}" for value in values)
                     + f" | {statistics.fmean(values):.4f} | {paired} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", type=Path, required=True, metavar="RUN")
    parser.add_argument("--temperature", type=float, nargs="+", required=True, metavar="T",
                        help="one temperature for all runs, or one per run")
    parser.add_argument("--measure-seeds", type=int, nargs="+", default=[0, 2000],
                        metavar="SEED")
    parser.add_argument("--batches", type=at_least_one, default=100)
    parser.add_argument("--draws", type=at_least_one, default=3)
    args = parser.parse_args()
    if len(args.temperature) not in (1, len(args.runs)):
        parser.error("give one --temperature, or one per run")
    temperatures = args.temperature * (len(args.runs) // len(args.temperature))
    try:
        for run, temperature in zip(args.runs, temperatures, strict=True):
            rows = compare(run, temperature, args.measure_seeds, args.batches, args.draws)
            print(markdown(run, temperature, rows) + "\n", flush=True)
    except GanforgeError as error:  # a missing or unreadable run folder: one line
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
