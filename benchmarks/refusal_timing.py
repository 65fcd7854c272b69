"""How long ganforge takes to refuse requests the machine cannot hold (estimated from shapes,
nothing allocated), in-process after start-up, with the peak memory the process reached.

    python benchmarks/refusal_timing.py
"""

from __future__ import annotations

import contextlib
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganforge.cli import main  # noqa: E402

TINY = ["--data.name", "digits", "--model.mlp.g-hidden", "32", "--model.mlp.d-hidden", "16",
        "--train.steps", "20", "--train.batch-size", "16", "--train.progress", "false",
        "--device", "cpu"]


def timed(argv: list[str]) -> tuple[float, int, str]:
    errors = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(errors):
        code = main(argv)
    return time.perf_counter() - start, code, errors.getvalue().strip()


def main_() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        run = Path(scratch) / "run"
        assert main(["train", "--run-dir", str(run), *TINY]) == 0
        cases = {
            "hidden layers of 100,000 units": ["train", "--dry-run", *TINY,
                                               "--model.mlp.g-hidden", "100000,100000"],
            "a batch of 10^8": ["train", "--dry-run", *TINY, "--train.batch-size", "100000000"],
            "an image size of 20,000": ["train", "--dry-run", *TINY, "--data.image-size",
                                        "20000"],
            "--n of a billion samples": ["sample", str(run), "--n", "1000000000", "--out",
                                         str(Path(scratch) / "s.npz")],
        }
        print(f"{'request':<34}{'seconds':>8}  exit  message")
        for name, argv in cases.items():
            seconds, code, message = timed(argv)
            print(f"{name:<34}{seconds:>8.2f}  {code:>4}  {message[:110]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this whole process: {peak:.0f} MB")


if __name__ == "__main__":
    main_()
