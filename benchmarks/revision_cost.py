"""What a change costs in training speed: `throughput.py` run alternately on an earlier revision
and on the working tree, each against the same tutorial baseline in the same process, and the
per-run ratios (ganforge / baseline) pooled per preset. Comparing ratios cancels the machine's
drift between runs; the relative change of the pooled median ratio is the change's cost.

    python benchmarks/revision_cost.py --base ae5109e            # about 16 minutes on 2 cores
    python benchmarks/revision_cost.py --base HEAD~1 --rounds 1 --steps 100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_throughput(tree: Path, steps: int, out: Path) -> dict:
    """One throughput.py run in `tree`, importing that tree's ganforge (not the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    subprocess.run([sys.executable, "benchmarks/throughput.py", "--rss-steps", "0", "--steps",
                    str(steps), "--presets", "paper", "tutorial", "--json", str(out)],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the earlier revision (a git ref)")
    parser.add_argument("--rounds", type=int, default=2, help="base/current pairs to run")
    parser.add_argument("--steps", type=int, default=300, help="steps per timed run")
    args = parser.parse_args()
    ratios: dict[str, dict[str, list[float]]] = {"base": {}, "current": {}}
    with tempfile.TemporaryDirectory() as scratch:
        base_tree = Path(scratch) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base_tree), args.base],
                       cwd=ROOT, check=True)
        try:
            for round_ in range(args.rounds):
                for name, tree in (("base", base_tree), ("current", ROOT)):
                    result = run_throughput(tree, args.steps,
                                            Path(scratch) / f"{name}-{round_}.json")
                    for preset, figures in result.items():
                        if "ratios" in figures:
                            ratios[name].setdefault(preset, []).extend(figures["ratios"])
                    print(f"round {round_ + 1}: {name} done", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT,
                           check=False)
    print(f"\nganforge / tutorial baseline, median of every run ({args.rounds} rounds):")
    for preset in ratios["current"]:
        base = statistics.median(ratios["base"][preset])
        current = statistics.median(ratios["current"][preset])
        print(f"  {preset:<9} base {args.base}: {base:.2f}x   current: {current:.2f}x   "
              f"change {100 * (current / base - 1):+.1f}%  "
              f"({len(ratios['current'][preset])} runs each)")


if __name__ == "__main__":
    main()
