"""Move data between its stored form and the range G produces (sigmoid [0, 1], tanh [-1, 1])."""

from __future__ import annotations

from torch import Tensor

ValueRange = tuple[float, float]


def to_model_range(batch: Tensor, value_range: ValueRange | None) -> Tensor:
    """uint8 images -> float32 in `value_range`; float toy points pass through unchanged."""
    if value_range is None or batch.is_floating_point():
        return batch
    low, high = value_range
    return batch.float().mul_((high - low) / 255.0).add_(low)


def to_unit_range(x: Tensor, value_range: ValueRange | None) -> Tensor:
    """G's output -> [0, 1] (the range every sample we write to disk uses)."""
    if value_range is None:
        return x
    low, high = value_range
    return ((x - low) / (high - low)).clamp_(0.0, 1.0)
