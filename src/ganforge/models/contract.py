"""What every architecture's G and D promise, written once. Builders return `nn.Module`s that
meet these protocols; tests/models/test_contract.py checks every registered architecture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from torch import Tensor


@dataclass(frozen=True)
class NetworkSpec:
    """What an architecture is asked to build, whatever its own settings say."""

    noise_dim: int
    """G's input width: the prior's dimension (continuous noise plus any one-hot category)."""
    sample_shape: tuple[int, ...]
    """One sample: [C, H, W] for images, [D] for toy points."""
    output: str = "sigmoid"
    """G's output activation: sigmoid ([0, 1]), tanh ([-1, 1]) or linear (toy points)."""
    pack: int = 1
    """PacGAN packing: D judges this many samples at once (Lin et al. 2018)."""
    pixel_mean: Tensor | None = None
    """Each pixel's mean training value in [0, 1], shape `sample_shape` (optional)."""


class GeneratorNetwork(Protocol):
    """G: z [B, noise_dim] -> samples [B, *sample_shape] in the output activation's range.

    G may hold batch-coupled layers (BatchNorm); it is put in eval mode for sampling.
    """

    def __call__(self, z: Tensor) -> Tensor: ...


@runtime_checkable
class DiscriminatorNetwork(Protocol):
    """D: samples [B, *sample_shape] -> logits [B // pack] (raw outputs, no sigmoid), computed
    as `logit(embed(x))` so that `models.conditional` can wrap any architecture.

    D has no batch-coupled layers (no BatchNorm): the trainer judges real and generated samples
    in one pass over their concatenation, which must equal two separate passes. The one
    exception couples only runs of consecutive samples (`MinibatchStdDev`), which the config
    keeps from straddling the two halves.
    """

    pack: int
    feature_dim: int
    """Width of phi(x), the last hidden features (what projection conditioning projects on)."""
    logit: Callable[[Tensor], Tensor]
    """The last layer: phi(x) [B, feature_dim] -> [B, 1]."""

    def __call__(self, x: Tensor) -> Tensor: ...

    def embed(self, x: Tensor) -> Tensor:
        """phi(x), [B // pack, feature_dim]; the logits are a linear map of it."""
        ...

    def probability(self, x: Tensor) -> Tensor:
        """The paper's D(x) = sigmoid(logits), [B // pack]."""
        ...
