"""What the minibatch standard deviation feature costs a D pass, and why its variance is written
by hand.

Times one forward and backward pass of `mnist-dcgan-selfcond`'s D on a [real; fake] batch of 128
MNIST-sized images, without the feature and with groups of --group, interleaved over --repeats
rounds (medians). Then the group variance of D's last feature maps (128 x 64 x 7 x 7 in groups of
--group) computed two ways: `Tensor.var` over the groups' axis, and by hand (mean, centre,
square, mean), as `ganforge.models.layers` does.

    python benchmarks/minibatch_std_cost.py [--group 4] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.throughput import time_steps  # noqa: E402
from ganforge.config import apply_overrides, load_config  # noqa: E402
from ganforge.models import build_discriminator  # noqa: E402

BATCH, PRESET, CLUSTERS = 128, "mnist-dcgan-selfcond", 100


def milliseconds(work: Callable[[], object], calls: int = 20) -> float:
    """Mean wall time of one call, after two warm-up calls."""
    for _ in range(2):
        work()
    def repeated(count: int) -> None:
        for _ in range(count):
            work()
    return 1000 / time_steps(repeated, calls, torch.device("cpu"))


def d_pass(group: int) -> Callable[[], object]:
    config = apply_overrides(load_config(PRESET), {"model.dcgan.d_minibatch_std": group})
    D = build_discriminator(config.model, (1, 28, 28), num_classes=CLUSTERS)
    x = torch.rand(BATCH, 1, 28, 28) * 2 - 1
    labels = torch.randint(0, CLUSTERS, (BATCH,))
    return lambda: D(x, labels).sum().backward()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    passes = {0: d_pass(0), args.group: d_pass(args.group)}
    times: dict[int, list[float]] = {group: [] for group in passes}
    for _ in range(args.repeats):  # interleaved, so that a noisy moment hits both
        for group, work in passes.items():
            times[group].append(milliseconds(work))
    for group, values in times.items():
        label = "no feature" if group == 0 else f"groups of {group}"
        print(f"D forward + backward, batch {BATCH}, {label}: {statistics.median(values):.1f} ms")

    features = torch.randn(BATCH // args.group, args.group, 64 * 7 * 7)
    def by_hand() -> torch.Tensor:
        return (features - features.mean(dim=1, keepdim=True)).square().mean(dim=1)
    def library() -> torch.Tensor:
        return features.var(dim=1, unbiased=False)
    torch.testing.assert_close(by_hand(), library())
    print(f"group variance, Tensor.var: {milliseconds(library):.2f} ms; "
          f"by hand: {milliseconds(by_hand):.2f} ms (forward only)")


if __name__ == "__main__":
    main()
