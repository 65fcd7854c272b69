"""Two plain checks of a run's samples against real images, in pixels, with no feature network:
how far each sample's centre of mass sits from the real images' mean centre (a G that learned a
translation draws shifted images), and how near each sample's nearest other sample is (a G that
collapses draws near-duplicates, so the distance falls below the real images' own, and the share
of samples with another within 1 pixel rises). Written for the augmentation screens in
BENCHMARKS.md ("Augmenting what D sees").

    python benchmarks/sample_spread.py --runs RUN [RUN ...] --n 2000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import Tensor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from ganforge.data import build_dataset  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.metrics.memorisation import k_nearest  # noqa: E402


def centres_of_mass(images: Tensor) -> Tensor:
    """[N, 2] (row, column) of each image's intensity-weighted centre; images [N, C, H, W] in
    [0, 1], channels summed."""
    weights = images.sum(dim=1).clamp(min=0)
    total = weights.sum(dim=(1, 2)).clamp(min=1e-12)
    rows = torch.arange(images.shape[-2], dtype=images.dtype).view(1, -1, 1)
    cols = torch.arange(images.shape[-1], dtype=images.dtype).view(1, 1, -1)
    return torch.stack([(weights * rows).sum(dim=(1, 2)) / total,
                        (weights * cols).sum(dim=(1, 2)) / total], dim=1)


def nearest_other(images: Tensor) -> Tensor:
    """[N] Euclidean pixel distance from each image to its nearest other image in the set: the
    second of its two nearest (the first is itself; float64 keeps that one at ~0)."""
    flat = images.flatten(1)
    return k_nearest(flat, flat, 2, dtype=torch.float64)[0][:, 1]


def spread(images: Tensor, centre: Tensor) -> dict[str, float]:
    """The figures the script prints for one set of images."""
    offsets = (centres_of_mass(images) - centre).norm(dim=1)
    nearest = nearest_other(images)
    return {"offset_mean": float(offsets.mean()),
            "shifted_share": float((offsets > 1).float().mean()),
            "nearest_other": float(nearest.mean()),
            "duplicate_share": float((nearest < 1).float().mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", nargs="+", type=Path, required=True, help="run folders")
    parser.add_argument("--n", type=int, default=2000, help="samples (and real images) per set")
    parser.add_argument("--seed", type=int, default=0, help="the samples' seed")
    args = parser.parse_args()
    try:
        samplers = [ganforge.load_generator(run, device="cpu") for run in args.runs]
        dataset = build_dataset(samplers[0].config.data)
    except GanforgeError as error:
        raise SystemExit(f"sample_spread: {error}") from None
    # The validation images where the data set has them, else the test images: never the
    # training images G learned from.
    real = dataset.validation if dataset.validation is not None else dataset.test
    real = real[:args.n].float() / 255
    centre = centres_of_mass(real).mean(dim=0)
    print("| images | centre offset (px) | offset > 1 px | nearest other image (px) | "
          "another within 1 px |")
    print("| --- | --- | --- | --- | --- |")
    rows = [("real (held out)", real)]
    rows += [(str(run), sampler.sample(args.n, seed=args.seed))
             for run, sampler in zip(args.runs, samplers, strict=True)]
    for name, images in rows:
        figures = spread(images, centre)
        print(f"| {name} | {figures['offset_mean']:.2f} | {figures['shifted_share']:.3f} | "
              f"{figures['nearest_other']:.2f} | {figures['duplicate_share']:.3f} |")


if __name__ == "__main__":
    main()
