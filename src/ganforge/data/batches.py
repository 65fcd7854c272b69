"""Endless shuffled minibatches from a tensor already in memory (no DataLoader: indexing one
tensor per batch is several times cheaper for data this small)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ganforge.errors import ConfigError


class InMemoryBatches:
    """Epoch-wise shuffled batches; with several processes each rank takes its slice of the same
    global batch, so N ranks of batch B see exactly what one process of batch N*B sees."""

    def __init__(self, data: Tensor, batch_size: int, *, seed: int, rank: int = 0,
                 world_size: int = 1, labels: Tensor | None = None) -> None:
        self.data = data
        self.labels = None if labels is None else labels.to(data.device)
        self.rank, self.world_size = rank, world_size
        self.resize(batch_size)
        # Seeded identically on every rank: all ranks agree on the permutation.
        self.generator = torch.Generator().manual_seed(seed)
        self.epoch = 0
        self._order: Tensor | None = None
        self._position = 0

    def check_fits(self, batch_size: int, setting: str = "train.batch_size") -> None:
        """Refuse a per-process `batch_size` whose global batch exceeds the data (ConfigError
        naming `setting`)."""
        if batch_size * self.world_size > len(self.data):
            raise ConfigError(
                f"{setting} {batch_size} x {self.world_size} process(es) is larger than the "
                f"{len(self.data)} training examples; lower {setting}")

    def resize(self, batch_size: int, setting: str = "train.batch_size") -> None:
        """Draw minibatches of `batch_size` from now on. The epoch's permutation carries on: the
        next batch starts where the last one ended."""
        self.check_fits(batch_size, setting)
        self.batch_size = batch_size
        self.global_batch = batch_size * self.world_size

    def next(self) -> Tensor:
        """The next minibatch, [batch_size, ...] on the data's device."""
        return self.next_labelled()[0]

    def next_labelled(self) -> tuple[Tensor, Tensor | None]:
        """The next minibatch and its labels (None without labels)."""
        if self._order is None or self._position + self.global_batch > len(self.data):
            self._order = torch.randperm(len(self.data), generator=self.generator)
            self._order = self._order.to(self.data.device)
            self._position = 0
            self.epoch += 1
        start = self._position + self.rank * self.batch_size
        self._position += self.global_batch
        index = self._order[start:start + self.batch_size]
        return self.data[index], None if self.labels is None else self.labels[index]

    def state_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator.get_state(),
            "epoch": self.epoch,
            "position": self._position,
            "order": None if self._order is None else self._order.cpu(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])
        self.epoch = state["epoch"]
        self._position = state["position"]
        order = state["order"]
        self._order = None if order is None else order.to(self.data.device)
