"""Training speed of a preset's variants, alternating in the same run: what a change costs per
step, apart from the drift of the cores (by up to 20% within minutes on the 2-core EPYC of
2026-12-07), which falls on every variant alike.

The preset itself and each --variant (a name and KEY=VALUE settings, as in variants.py) train
--steps steps in turn, --repeats times; the median steps/s of each (the run log's own clock,
which starts after data loading and clustering) is printed with its ratio to the preset's.

    python benchmarks/variant_speed.py --preset fashion-dcgan-selfcond --data fashion-mnist \\
        --steps 1500 --repeats 2 --variant d16 model.dcgan.d_channels=16
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from benchmarks.precision_speed import steps_per_second  # noqa: E402
from benchmarks.quality_vs_peer import at_least_one  # noqa: E402
from benchmarks.variants import parse_variant  # noqa: E402
from ganforge.config import RunConfig, apply_overrides, load_config  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402

PRESET = "preset"


def configs(preset: str, data: str, steps: int,
            variants: list[tuple[str, dict[str, str]]]) -> dict[str, RunConfig]:
    """Each variant's config, the preset's first; all built (and so checked) before any trains."""
    return {name: apply_overrides(load_config(preset), {
        "data.name": data, "device": "cpu", "train.steps": str(steps),
        "train.sample_every_steps": "1000000", "train.checkpoint_every_steps": "1000000",
        **overrides}) for name, overrides in [(PRESET, {}), *variants]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", required=True)
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--steps", type=at_least_one, default=500, help="steps per timed run")
    parser.add_argument("--repeats", type=at_least_one, default=2,
                        help="alternating runs per variant")
    parser.add_argument("--variant", nargs="+", action="append", required=True,
                        metavar="NAME [KEY=VALUE ...]")
    args = parser.parse_args()
    variants = [parse_variant(tokens) for tokens in args.variant]
    names = [name for name, _ in variants]
    if PRESET in names or len(set(names)) != len(names):
        parser.error(f"variant names must differ from each other and from {PRESET!r} (got "
                     f"{', '.join(names)})")
    try:
        runs = configs(args.preset, args.data, args.steps, variants)
        speeds: dict[str, list[float]] = {name: [] for name in runs}
        with tempfile.TemporaryDirectory() as folder:
            for repeat in range(args.repeats):
                for name, config in runs.items():
                    run_dir = Path(folder) / f"{name}-{repeat}"
                    ganforge.train(config, run_dir, progress=False)
                    speeds[name].append(steps_per_second(run_dir))
                    print(f"  {name}, run {repeat + 1}: {speeds[name][-1]:.1f} steps/s",
                          file=sys.stderr, flush=True)
    except GanforgeError as error:
        sys.exit(f"error: {error}")
    base = statistics.median(speeds[PRESET])
    print(f"| {args.preset} on {args.data} | steps/s (median of {args.repeats} x {args.steps} "
          "steps) | against the preset | each run |")
    print("| --- | --- | --- | --- |")
    for name, values in speeds.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.1f} | {median / base:.2f}x | "
              + ", ".join(f"{value:.1f}" for value in values) + " |")


if __name__ == "__main__":
    main()
