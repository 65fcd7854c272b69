"""What metrics share: the `Metric` registration record, the `MetricResult` they return, and the
`EvaluationContext` that computes generated samples, real images and classifier features once.

Every metric returns its value for the generator and the same value for held-out real images
against the training images: the floor (or ceiling) that a perfect generator would reach.
Fréchet distance, KID and precision/recall compare as many generated samples as there are
held-out images, so that generator and floor face the same finite-sample bias.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from torch import Tensor

from ganforge.data.datasets import Dataset
from ganforge.errors import ConfigError
from ganforge.metrics.features import TrainedClassifier, load_or_train_classifier, predict

# What a metric may need beyond samples and the data set's images; the default set of a data set
# is every metric whose needs it meets.
LABELS = "labels"
"""A labelled image data set, for ganforge's feature classifier."""
INCEPTION_WEIGHTS = "inception_weights"
"""A local Inception-v3 weights file (`--inception-weights`)."""
CONDITIONAL = "conditional"
"""A class-conditional generator (`model.conditional`) whose classes are the data set's labels."""


class Sampler(Protocol):
    """Anything that draws samples: images [n, C, H, W] in [0, 1]."""

    def sample(self, n: int, *, seed: int | None = None) -> Tensor: ...

    def check_labels(self, labels: Any, n: int) -> Tensor | None:
        """The classes `sample(n)` draws for (None: an unconditional generator)."""
        ...


@dataclass
class MetricResult:
    """A metric's numbers for the generator, the same for held-out real images (the floor), and
    the settings that move them."""

    values: dict[str, float]
    floor: dict[str, float]
    settings: dict[str, Any]
    standard_error: dict[str, float] = field(default_factory=dict)
    """Of each value, over independent sample draws (`metrics.draws`); empty for one draw."""


@dataclass(frozen=True)
class Metric:
    """A metric as the registry knows it."""

    name: str
    """The `--metrics` name and the `metric` field of metrics.jsonl records."""
    compute: Callable[[EvaluationContext], MetricResult]
    keys: tuple[str, ...]
    """The value keys it reports (constants of `metrics.keys`)."""
    summary: str
    """One line for `--help`."""
    needs: frozenset[str] = frozenset()
    """LABELS, INCEPTION_WEIGHTS: what the context must offer."""


@dataclass
class EvaluationContext:
    """Generated samples, the data set and the feature network, each built once, on demand."""

    sampler: Sampler
    dataset: Dataset
    n_samples: int | None = None
    """Generated samples per metric (default: 10,000 for Parzen, as many as the held-out
    images for the others)."""
    seed: int = 0
    progress: bool = True
    inception_weights: Path | None = None
    """A local Inception-v3 weights file, for the standard FID."""
    _samples: Tensor | None = None
    _classifier: TrainedClassifier | None = None
    _cache: dict[str, Tensor] = field(default_factory=dict)

    def redraw(self, seed: int) -> EvaluationContext:
        """The same evaluation on the draw of generated samples that `seed` makes: the feature
        network and the real images' features are shared, not computed again."""
        shared = {key: value for key, value in self._cache.items()
                  if not key.startswith("fake-")}
        return EvaluationContext(self.sampler, self.dataset, n_samples=self.n_samples, seed=seed,
                                 progress=self.progress, inception_weights=self.inception_weights,
                                 _classifier=self._classifier, _cache=shared)

    def samples(self, n: int) -> Tensor:
        """The first n of one seeded draw, so every metric sees the same samples."""
        if self._samples is None or len(self._samples) < n:
            self._samples = self.sampler.sample(n, seed=self.seed).float()
        return self._samples[:n]

    @property
    def n_compare(self) -> int:
        return self.n_samples or len(self.dataset.test)

    def real(self, split: str) -> Tensor:
        """The "train", "test" or (where the data set has one) "validation" images in [0, 1]."""
        images = {"train": self.dataset.train, "test": self.dataset.test,
                  "validation": self.dataset.validation}[split]
        if images is None:
            raise ConfigError(f"data set {self.dataset.name!r} has no {split} split")
        return images.float() / 255

    def offers(self) -> frozenset[str]:
        """The needs this context meets."""
        data = self.dataset
        labelled = data.is_image and data.train_labels is not None and \
            data.test_labels is not None
        conditional = labelled and getattr(self.sampler, "conditions_on_labels",
                                           getattr(self.sampler, "num_classes", None) is not None)
        return frozenset({LABELS} if labelled else set()) | \
            frozenset({CONDITIONAL} if conditional else set()) | \
            frozenset({INCEPTION_WEIGHTS} if self.inception_weights is not None else set())

    def loaded_classifier(self) -> TrainedClassifier | None:
        """The feature classifier if a metric has loaded it (for provenance), else None."""
        return self._classifier

    def classifier(self) -> TrainedClassifier:
        if self._classifier is None:
            # A validation split carved from the training images is scored by the full data
            # set's network, so that a choice made on it is in the reported scores' units.
            data = self.dataset if self.dataset.carved_from is None \
                else self.dataset.carved_from.dataset
            if data.train_labels is None or data.test_labels is None or not data.is_image:
                raise ConfigError(f"data set {data.name!r} has no labels: its domain metrics "
                                  "need a labelled image data set (use --metrics parzen)")
            self._classifier = load_or_train_classifier(
                data.train, data.train_labels, data.test, data.test_labels,
                progress=self.progress)
        return self._classifier

    def outputs(self, name: str, *, features: bool) -> Tensor:
        """Classifier features or logits of "fake", "train" or "test" images (cached)."""
        key = f"{name}-{'features' if features else 'logits'}"
        if key not in self._cache:
            if name == "train":  # the same for every evaluation of this data set: on disk
                carved = self.dataset.carved_from
                if carved is None:
                    self._cache[key] = self.classifier().training_outputs(self.dataset.train,
                                                                          features=features)
                else:  # the full set's cached outputs, less the carved images
                    self._cache[key] = self.classifier().training_outputs(
                        carved.dataset.train, features=features)[carved.kept]
            else:
                images = self.samples(self.n_compare) if name == "fake" else self.real(name)
                self._cache[key] = predict(self.classifier().network, images, features=features)
        return self._cache[key]


