"""How long `ganforge report RUN_DIR` takes, start-up included, and how big the page is.

Runs the command `--repeats` times as a user would (a fresh process each time, the feature
classifier and its training-set features already cached by the first run), and prints the wall
times, their median and the page's size, with the run's step count and number of grids.

    python benchmarks/report_timing.py runs/demo
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    command = [sys.executable, "-m", "ganforge", "report", str(args.run_dir)]
    # A first, untimed run trains and caches the feature classifier if this data set has none.
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    page = args.run_dir / "report.html"
    lines = (args.run_dir / "train.jsonl").read_text().splitlines()
    steps = json.loads(lines[-1])["step"] if lines else 0
    grids = len(list((args.run_dir / "samples").glob("step_*.png")))
    print(f"run: {args.run_dir} ({steps:,} steps, {grids} sample grids)")
    print("wall times: " + ", ".join(f"{t:.1f} s" for t in times))
    print(f"median: {statistics.median(times):.1f} s; page: {page.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
