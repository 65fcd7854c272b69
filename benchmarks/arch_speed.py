"""Training speed of each image architecture on this machine, with the same objective, batch and
data (the mnist-dcgan preset with `model.arch` and its widths swapped), so that a new
architecture's cost is known before anyone trains it for half an hour.

Runs `--steps` steps of each configuration `--repeats` times, alternating, and prints the median
steps/s (from the run log's own clock, which starts after data loading) and the parameter counts.

    python benchmarks/arch_speed.py --steps 200 --repeats 2
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
from ganforge.config import apply_overrides, load_config  # noqa: E402
from ganforge.models import build_discriminator, build_generator  # noqa: E402

CONFIGS = {
    "dcgan 32 (mnist-dcgan)": {},
    "resnet 32": {"model.arch": "resnet", "model.resnet.g_channels": "32",
                  "model.resnet.d_channels": "32"},
    "resnet 64": {"model.arch": "resnet", "model.resnet.g_channels": "64",
                  "model.resnet.d_channels": "64"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    speeds: dict[str, list[float]] = {name: [] for name in CONFIGS}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            for name, overrides in CONFIGS.items():
                config = apply_overrides(load_config("mnist-dcgan"), {
                    **overrides, "train.steps": str(args.steps), "device": "cpu",
                    "train.sample_every_steps": "1000000"})
                run_dir = Path(folder) / f"{name.split()[0]}-{name.split()[1]}-{repeat}"
                ganforge.train(config, run_dir, progress=False)
                speeds[name].append(steps_per_second(run_dir))
    print(f"| architecture (mnist-dcgan otherwise) | G parameters | D parameters | steps/s "
          f"(median of {args.repeats} x {args.steps} steps) |")
    print("| --- | --- | --- | --- |")
    for name, overrides in CONFIGS.items():
        config = apply_overrides(load_config("mnist-dcgan"), overrides)
        G = build_generator(config.model, (1, 28, 28))
        D = build_discriminator(config.model, (1, 28, 28))
        count = [sum(p.numel() for p in m.parameters()) for m in (G, D)]
        print(f"| {name} | {count[0]:,} | {count[1]:,} | {statistics.median(speeds[name]):.1f} |")


if __name__ == "__main__":
    main()
