"""Time of the Parzen-window protocol (issue goal: <= 60 s on 2 CPU cores) and its memory.

The protocol as `ganforge evaluate --metrics parzen` runs it on the paper's MNIST split: a window
on 10,000 samples of 784 pixels, sigma chosen on the 10,000 validation digits (12-point grid,
then 21 refined points), then the log-likelihood of the 10,000 test digits. The time depends
only on those shapes, so the samples are a trained generator's when `--run` is given and noisy
training digits otherwise.

    python benchmarks/parzen_timing.py [--run runs/table1/paper] [--repeats 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ganforge  # noqa: E402
from ganforge.config import DataConfig  # noqa: E402
from ganforge.metrics.keys import PARZEN_LOG_LIKELIHOOD, PARZEN_SIGMA  # noqa: E402
from ganforge.metrics.parzen import (  # noqa: E402
    PARZEN_SAMPLES,
    parzen_evaluate,  # noqa: E402
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, help="a run folder whose generator gives the samples")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    data = ganforge.build_dataset(DataConfig(name="mnist"))
    train = data.train.flatten(1).float() / 255
    validation = data.validation.flatten(1).float() / 255
    test = data.test.flatten(1).float() / 255
    if args.run:
        samples = ganforge.load_generator(args.run, device="cpu").sample(PARZEN_SAMPLES, seed=0)
        source = f"generator of {args.run}"
    else:
        generator = torch.Generator().manual_seed(0)
        picks = torch.randint(len(train), (PARZEN_SAMPLES,), generator=generator)
        noise = 0.1 * torch.randn(PARZEN_SAMPLES, train.shape[1], generator=generator)
        samples = (train[picks] + noise).clamp(0, 1)
        source = "training digits + N(0, 0.1^2) noise"
    samples = samples.flatten(1)
    print(f"samples: {tuple(samples.shape)} ({source}); validation {tuple(validation.shape)}; "
          f"test {tuple(test.shape)}; threads {torch.get_num_threads()}")
    rss_before = peak_rss_mb()
    times = []
    for repeat in range(args.repeats):
        start = time.perf_counter()
        result = parzen_evaluate(samples, validation, test)
        times.append(time.perf_counter() - start)
        print(f"run {repeat + 1}: {times[-1]:.1f} s, log-likelihood "
              f"{result[PARZEN_LOG_LIKELIHOOD]:.1f} nats, sigma {result[PARZEN_SIGMA]:.3f}")
    print(f"median {statistics.median(times):.1f} s (goal <= 60 s); peak RSS "
          f"{peak_rss_mb():.0f} MB, {peak_rss_mb() - rss_before:.0f} MB above the data's")


if __name__ == "__main__":
    main()
