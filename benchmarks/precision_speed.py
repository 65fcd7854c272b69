"""Training speed in fp32 against bf16 autocast on this machine's CPU, in the same run.

CPUs with AMX or AVX512-BF16 units multiply bf16 matrices several times faster than fp32 ones;
others gain nothing and pay for the casts. This prints the matmul throughput of both precisions
at 100 x 1200 x 1200 (the paper preset's largest layer), then, for each preset, the median
steps/s of `--steps` training steps with and without `train.autocast_bf16`, the two alternating
`--repeats` times so that the machine's drift falls on both alike.

    python benchmarks/precision_speed.py --steps 300 --repeats 3     # about 2 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from ganforge.config import apply_overrides, load_config  # noqa: E402
from ganforge.training.run_log import read_log  # noqa: E402

PRECISIONS = {"fp32": "false", "bf16 autocast": "true"}


def matmul_gflops(dtype: torch.dtype, rows: int = 100, inner: int = 1200, cols: int = 1200,
                  seconds: float = 1.0) -> float:
    """GFLOP/s of repeated rows x inner @ inner x cols products in `dtype`."""
    a = torch.randn(rows, inner).to(dtype)
    b = torch.randn(inner, cols).to(dtype)
    for _ in range(10):
        a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    return 2 * rows * inner * cols * count / (time.perf_counter() - start) / 1e9


def steps_per_second(run_dir: Path) -> float:
    """Steps/s between the first and last logged steps (the log's clock starts after loading)."""
    records = read_log(run_dir)
    first, last = records[0], records[-1]
    return (last["step"] - first["step"]) / (last["elapsed_s"] - first["elapsed_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=["mnist-paper", "mnist-dcgan"])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, oneDNN "
          f"{'on' if torch.backends.mkldnn.is_available() else 'off'}")
    for dtype in (torch.float32, torch.bfloat16):
        print(f"matmul 100 x 1200 x 1200, {dtype}: {matmul_gflops(dtype):.0f} GFLOP/s")

    speeds: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            for preset in args.presets:
                for name, flag in PRECISIONS.items():
                    config = apply_overrides(load_config(preset), {
                        "train.autocast_bf16": flag, "train.steps": str(args.steps),
                        "train.time_limit_s": "none", "device": "cpu",
                        "train.sample_every_steps": "1000000",
                        "train.checkpoint_every_steps": "1000000"})
                    run_dir = Path(folder) / f"{preset}-{flag}-{repeat}"
                    ganforge.train(config, run_dir, progress=False)
                    speeds.setdefault((preset, name), []).append(steps_per_second(run_dir))

    print(f"\nmedian steps/s of {args.repeats} x {args.steps} steps:")
    print(f"| preset | {' | '.join(PRECISIONS)} | ratio |")
    print("| --- | --- | --- | --- |")
    for preset in args.presets:
        fp32, bf16 = (statistics.median(speeds[preset, name]) for name in PRECISIONS)
        print(f"| {preset} | {fp32:.1f} | {bf16:.1f} | {bf16 / fp32:.2f}x |")


if __name__ == "__main__":
    main()
