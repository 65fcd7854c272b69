"""What torchrun/DDP gives on this machine: the paper preset with 1 process (batch 100) against
2 processes (batch 50 each, the same global batch), plus the cost of averaging the gradients.

    python benchmarks/ddp_scaling.py            # about 2 minutes on 2 CPU cores

On a 2-core CPU expect a slowdown: each rank gets one core, and gloo's all-reduce of G's and D's
gradients (3.7 M floats a step) is not free. DDP pays off across GPUs or machines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.results_file import save_results  # noqa: E402

ALLREDUCE_SCRIPT = """
import time, torch, torch.distributed as dist
dist.init_process_group("gloo")
# The paper preset's gradients: G 2,503,584 floats (one bucket per step), D 1,229,041.
tensors = [torch.randn(2_503_584), torch.randn(1_229_041)]
for _ in range(5):
    for t in tensors: dist.all_reduce(t)
start = time.perf_counter()
for _ in range(50):
    for t in tensors: dist.all_reduce(t)
if dist.get_rank() == 0:
    print((time.perf_counter() - start) / 50 * 1e3)
dist.destroy_process_group()
"""


def steps_per_second(run_dir: Path, skip: int) -> float:
    records = [json.loads(line) for line in (run_dir / "train.jsonl").read_text().splitlines()]
    first, last = records[skip - 1], records[-1]
    return (last["step"] - first["step"]) / (last["elapsed_s"] - first["elapsed_s"])


def train(nproc: int, steps: int, folder: Path) -> float:
    batch = 100 // nproc
    run_dir = folder / f"nproc{nproc}"
    subprocess.run([sys.executable, "-m", "ganforge", "train", "--nproc", str(nproc),
                    "--config", "mnist-paper", "--run-dir", str(run_dir),
                    "--train.steps", str(steps), "--train.batch-size", str(batch),
                    "--train.progress", "false", "--device", "cpu"],
                   check=True, capture_output=True)
    return steps_per_second(run_dir, skip=50)


def allreduce_ms() -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(ALLREDUCE_SCRIPT)
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                             "--nproc_per_node=2", script.name], check=True, capture_output=True,
                            text=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        one = train(1, args.steps, Path(folder))
        two = train(2, args.steps, Path(folder))
    reduce_ms = allreduce_ms()
    print(f"paper preset, global batch 100, {args.steps} steps (first 50 not timed)")
    print(f"  1 process  (2 threads):          {one:6.1f} steps/s")
    print(f"  2 processes (1 thread each, DDP): {two:6.1f} steps/s  = {two / one:.2f}x")
    print(f"  gloo all-reduce of G's and D's gradients between 2 processes: {reduce_ms:.1f} ms")
    if args.json:
        save_results({"one_process_steps_per_s": one, "two_process_steps_per_s": two,
                      "speedup": two / one, "allreduce_ms": reduce_ms}, args.json, indent=2)


if __name__ == "__main__":
    main()
