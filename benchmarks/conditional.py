"""Class-conditional models against the unconditional preset at the same number of steps.

Trains (or, with --reuse, takes from --runs) three MNIST runs of `--steps` steps each:
  * mnist-conditional with D conditioned by projection (Miyato & Koyama 2018),
  * the same with one-hot planes concatenated to D's input,
  * the unconditional mnist-dcgan preset, without its fully connected layers (so the same
    networks without y),
then scores each on the 10,000 test digits with ganforge's metrics and prints a Markdown table:
conditional accuracy (beside the feature classifier's own accuracy), per-class FD (beside the
held-out floor) and FD. `--data fashion-mnist` does the same with the fashion presets.

    python benchmarks/conditional.py --steps 9930 --runs /work/runs_bench --reuse
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from ganforge.checkpoint import checkpoint_path  # noqa: E402
from ganforge.config import apply_overrides, load_config  # noqa: E402
from ganforge.metrics import keys  # noqa: E402

PRESETS = {"mnist": ("mnist-conditional", "mnist-dcgan"),
           "fashion-mnist": ("fashion-conditional", "fashion-dcgan")}


def runs_for(data: str) -> dict[str, tuple[str, dict[str, str]]]:
    conditional, plain = PRESETS[data]
    prefix = "mnist" if data == "mnist" else "fashion"
    return {f"{prefix}-cond-projection": (conditional, {"model.conditioning": "projection"}),
            f"{prefix}-cond-concat": (conditional, {"model.conditioning": "concat"}),
            # The conditional presets have no fully connected layers: drop the DCGAN presets',
            # so that the only difference is y.
            f"{prefix}-uncond": (plain, {"model.dcgan.g_hidden": "0", "model.dcgan.d_hidden": "0"})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", choices=sorted(PRESETS), default="mnist")
    parser.add_argument("--steps", type=int, default=9930)
    parser.add_argument("--runs", type=Path, default=ROOT / "runs" / "conditional")
    parser.add_argument("--reuse", action="store_true", help="evaluate finished runs as they are")
    parser.add_argument("--only", nargs="*", help="run names to include (default: all three)")
    args = parser.parse_args()

    rows = []
    for name, (preset, extra) in runs_for(args.data).items():
        if args.only and name not in args.only:
            continue
        run_dir = args.runs / name
        if not (args.reuse and checkpoint_path(run_dir).is_file()):
            config = apply_overrides(load_config(preset), {
                **extra, "train.steps": str(args.steps), "train.time_limit_s": "3600"})
            start = time.perf_counter()
            ganforge.train(config, run_dir)
            print(f"{name}: trained in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        generator = ganforge.load_generator(run_dir, device="cpu")
        metrics = ["fd"] + (["conditional_accuracy", "per_class_fd"]
                            if generator.num_classes else [])
        start = time.perf_counter()
        results = ganforge.evaluate(run_dir, metrics=metrics, seed=0, progress=False)
        seconds = time.perf_counter() - start
        log = run_dir / "train.jsonl"
        last = log.read_text().splitlines()[-1]
        rows.append((name, generator.step, last, results, seconds))

    print(f"| run ({args.data}, seed 0) | steps | training min | conditional accuracy "
          "(classifier's own) | per-class FD mean (floor) | FD (floor) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, step, last, results, _ in rows:
        minutes = json.loads(last)["elapsed_s"] / 60
        fd = results["fd"]
        cells = [name, f"{step:,}", f"{minutes:.1f}"]
        if "conditional_accuracy" in results:
            accuracy = results["conditional_accuracy"]
            per_class = results["per_class_fd"]
            cells += [f"{accuracy.values[keys.CONDITIONAL_ACCURACY]:.1%} "
                      f"({accuracy.floor[keys.CONDITIONAL_ACCURACY]:.1%})",
                      f"{per_class.values[keys.PER_CLASS_FD_MEAN]:.2f} "
                      f"({per_class.floor[keys.PER_CLASS_FD_MEAN]:.2f})"]
        else:
            cells += ["-", "-"]
        cells.append(f"{fd.values[keys.FRECHET_DISTANCE]:.2f} "
                     f"({fd.floor[keys.FRECHET_DISTANCE]:.2f})")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
