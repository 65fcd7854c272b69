"""The feature network behind the domain metrics: a small CNN that ganforge trains itself on the
data set's labelled training split (nothing is downloaded). It is seeded, and cached under the
user cache directory keyed by the data and the architecture, so every evaluation of a data set
uses the same network.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from platformdirs import user_cache_dir
from torch import Tensor, nn
from tqdm import tqdm

from ganforge.files import atomic_path

ARCHITECTURE = "cnn-v1"  # bump when the network or its training changes: old caches then miss
FEATURE_DIM = 128
IMAGES_PER_RUN = 150_000  # training budget in images seen (epochs = this / data size)


class Classifier(nn.Module):
    """conv 32 - pool - conv 64 - pool - conv 128 - 3x3 avg pool - 128 features - logits."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(3),
            nn.Flatten(), nn.Linear(128 * 9, FEATURE_DIM), nn.ReLU(),
        )
        self.head = nn.Linear(FEATURE_DIM, num_classes)

    def features(self, images: Tensor) -> Tensor:
        """[N, C, H, W] in [0, 1] -> [N, 128] (the penultimate layer)."""
        return self.body(images * 2 - 1)

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


def train_classifier(train: Tensor, labels: Tensor, test: Tensor, test_labels: Tensor, *,
                     seed: int = 0, progress: bool = True) -> tuple[Classifier, float]:
    """Train the CNN with Adam; returns it and its test accuracy."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    num_classes = int(max(labels.max(), test_labels.max())) + 1
    network = Classifier(train.shape[1], num_classes)
    epochs = max(2, min(40, math.ceil(IMAGES_PER_RUN / len(train))))
    batch_size = 128
    steps = epochs * (len(train) // batch_size)
    optimizer = torch.optim.Adam(network.parameters(), lr=2e-3, fused=True)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps)
    network.train()
    with tqdm(total=steps, desc="training the feature classifier", disable=not progress,
              leave=False) as bar:
        for _ in range(epochs):
            order = torch.randperm(len(train), generator=generator)
            for start in range(0, len(train) - batch_size + 1, batch_size):
                index = order[start:start + batch_size]
                images = _shifted(_to_unit(train[index]), generator)
                loss = F.cross_entropy(network(images), labels[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                bar.update()
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
