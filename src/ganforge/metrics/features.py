"""The feature network behind the domain metrics: a small CNN that ganforge trains itself on the
data set's labelled training split (nothing is downloaded). It is seeded, and cached under the
user cache directory keyed by the data and the architecture, so every evaluation of a data set
uses the same network.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from platformdirs import user_cache_dir
from torch import Tensor, nn
from tqdm import tqdm

from ganforge.files import atomic_path

ARCHITECTURE = "cnn-v2"  # bump when the network or its training changes: old caches then miss
FEATURE_DIM = 128
IMAGES_PER_RUN = 150_000  # training budget in images seen, whatever the data set's size
AUGMENT_FROM_PASSES = 10  # shift-augment only when the budget sees each image this often
BATCH_SIZE = 128
LEARNING_RATE = 2e-3
LABEL_SMOOTHING = 0.1


def _conv(in_channels: int, out_channels: int) -> list[nn.Module]:
    # BatchNorm: with it the network reaches its accuracy in ~2.5 passes over Fashion-MNIST
    # instead of needing more than the 2-minute budget allows.
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU()]


class Classifier(nn.Module):
    """conv 32 - pool - conv 64 - pool - conv 128 - 3x3 avg pool - 128 features - logits (each
    conv with BatchNorm). Channels-last memory: ~30% faster on the CPU for these shapes."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            *_conv(channels, 32), nn.MaxPool2d(2, ceil_mode=True),
            *_conv(32, 64), nn.MaxPool2d(2, ceil_mode=True),
            *_conv(64, 128), nn.AdaptiveAvgPool2d(3),
            nn.Flatten(), nn.Linear(128 * 9, FEATURE_DIM), nn.ReLU(),
        )
        self.head = nn.Linear(FEATURE_DIM, num_classes)
        # Module.to accepts memory_format at run time; PyTorch's stubs do not list it.
        self.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def features(self, images: Tensor) -> Tensor:
        """[N, C, H, W] in [0, 1] -> [N, 128] (the penultimate layer)."""
        return self.body((images * 2 - 1).contiguous(memory_format=torch.channels_last))

    def forward(self, images: Tensor) -> Tensor:
        """Class logits [N, classes]."""
        return self.head(self.features(images))


@dataclass(frozen=True)
class TrainedClassifier:
    network: Classifier
    test_accuracy: float
    key: str
    """Identity of the network: a hash of the data, the architecture and the seed."""
    path: Path
    train_seconds: float

    def describe(self) -> dict[str, Any]:
        return {"name": f"ganforge-{ARCHITECTURE}", "key": self.key,
                "test_accuracy": self.test_accuracy, "feature_dim": FEATURE_DIM}

    def training_outputs(self, train: Tensor, *, features: bool) -> Tensor:
        """Features (or logits) of the training images it was trained on, cached beside the
        network: on a CPU they cost ~30 s for 50,000 digits, and every evaluation and report of
        the data set needs the same ones. `train` must be the images behind `key`."""
        kind = "features" if features else "logits"
        path = self.path.with_name(f"{self.key}-train-{kind}.pt")
        if path.is_file():
            try:
                outputs = torch.load(path, weights_only=True)
                if isinstance(outputs, Tensor) and len(outputs) == len(train):
                    return outputs
            except (RuntimeError, EOFError, ValueError, pickle.UnpicklingError):
                pass  # unreadable: computed again and replaced
        outputs = predict(self.network, train, features=features)
        with atomic_path(path) as temporary:
            torch.save(outputs, temporary)
        return outputs


def cache_dir() -> Path:
    """Where trained classifiers live ($GANFORGE_CACHE_DIR, else the user cache directory)."""
    return Path(os.environ.get("GANFORGE_CACHE_DIR") or user_cache_dir("ganforge")) / "classifiers"


def classifier_key(train: Tensor, labels: Tensor, seed: int) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"architecture": ARCHITECTURE, "shape": list(train.shape),
                              "seed": seed, "budget": IMAGES_PER_RUN}).encode())
    digest.update(train.contiguous().numpy().tobytes())
    digest.update(labels.contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _to_unit(images: Tensor) -> Tensor:
    return images.float() / 255 if images.dtype == torch.uint8 else images.float()


@torch.no_grad()
def predict(network: Classifier, images: Tensor, *, batch_size: int = 500,
            features: bool = False) -> Tensor:
    """Logits (or features) for images [N, C, H, W], uint8 or in [0, 1], in batches."""
    network.eval()
    outputs = [(network.features if features else network)(_to_unit(images[i:i + batch_size]))
               for i in range(0, len(images), batch_size)]
    return torch.cat(outputs)


def _shifted(images: Tensor, generator: torch.Generator) -> Tensor:
    """Random translations by up to 2 pixels: cheap augmentation for small training sets."""
    padded = F.pad(images, (2, 2, 2, 2))
    dy, dx = (int(v) for v in torch.randint(0, 5, (2,), generator=generator))
    return padded[..., dy:dy + images.shape[-2], dx:dx + images.shape[-1]]


def _batches(size: int, batch_size: int, steps: int,
             generator: torch.Generator) -> Iterator[Tensor]:
    """`steps` index batches, each pass over the data in a new random order."""
    done = 0
    while True:
        order = torch.randperm(size, generator=generator)
        for start in range(0, size - batch_size + 1, batch_size):
            if done == steps:
                return
            done += 1
            yield order[start:start + batch_size]


def train_classifier(train: Tensor, labels: Tensor, test: Tensor, test_labels: Tensor, *,
                     seed: int = 0, progress: bool = True) -> tuple[Classifier, float]:
    """Train the CNN with Adam on IMAGES_PER_RUN images; returns it and its test accuracy.

    Measured on the 2-core CPU (BENCHMARKS.md): Fashion-MNIST 91% in ~95 s, MNIST 99.4%."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    num_classes = int(max(labels.max(), test_labels.max())) + 1
    network = Classifier(train.shape[1], num_classes)
    batch_size = min(BATCH_SIZE, len(train))
    steps = max(1, IMAGES_PER_RUN // batch_size)
    # Random shifts help when the network sees each image many times (the 5,000 digits: 99.3%
    # with, 98.9% without); over 2.5 passes of Fashion-MNIST they cost 1.7 points.
    augment = IMAGES_PER_RUN >= AUGMENT_FROM_PASSES * len(train)
    optimizer = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE, fused=True)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE,
                                                   total_steps=steps)
    network.train()
    for index in tqdm(_batches(len(train), batch_size, steps, generator), total=steps,
                      desc="training the feature classifier", disable=not progress, leave=False):
        images = _to_unit(train[index])
        if augment:
            images = _shifted(images, generator)
        loss = F.cross_entropy(network(images), labels[index], label_smoothing=LABEL_SMOOTHING)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
    accuracy = float((predict(network, test).argmax(1) == test_labels).float().mean())
    return network, accuracy


def cached_classifier(train: Tensor, labels: Tensor, test: Tensor, test_labels: Tensor, *,
                      seed: int = 0) -> TrainedClassifier | None:
    """The cached network for this data, or None when it has not been trained (or the cache
    entry is unreadable)."""
    key = classifier_key(train, labels, seed)
    path = cache_dir() / f"{key}.pt"
    if not path.is_file():
        return None
    num_classes = int(max(labels.max(), test_labels.max())) + 1
    try:
        payload = torch.load(path, weights_only=True)
        network = Classifier(train.shape[1], num_classes)
        network.load_state_dict(payload["state_dict"])
        return TrainedClassifier(network.eval(), float(payload["test_accuracy"]), key, path,
                                 float(payload["train_seconds"]))
    except (RuntimeError, KeyError, EOFError, ValueError, pickle.UnpicklingError):
        return None  # a corrupt cache entry is retrained and replaced


def load_or_train_classifier(train: Tensor, labels: Tensor, test: Tensor, test_labels: Tensor,
                             *, seed: int = 0, progress: bool = True) -> TrainedClassifier:
    """The cached network for this data, training (and caching) it the first time."""
    found = cached_classifier(train, labels, test, test_labels, seed=seed)
    if found is not None:
        return found
    key = classifier_key(train, labels, seed)
    path = cache_dir() / f"{key}.pt"
    start = time.perf_counter()
    network, accuracy = train_classifier(train, labels, test, test_labels, seed=seed,
                                         progress=progress)
    seconds = time.perf_counter() - start
    with atomic_path(path) as temporary:
        torch.save({"state_dict": network.state_dict(), "test_accuracy": accuracy,
                    "train_seconds": seconds, "architecture": ARCHITECTURE}, temporary)
    return TrainedClassifier(network.eval(), accuracy, key, path, seconds)
