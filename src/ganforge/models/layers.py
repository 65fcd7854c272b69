"""Layers the paper's networks need that PyTorch lacks, or has slow on CPU."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class Maxout(nn.Module):
    """Maxout (Goodfellow et al. 2013): `units` outputs, each the max of `pieces` linear maps."""

    def __init__(self, in_features: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        # Piece-major output layout [B, pieces, units]: the max runs over contiguous rows of
        # `units` floats, measured faster than a units-major layout on CPU.
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: Tensor) -> Tensor:
        """[B, in_features] -> [B, units]."""
        return self.linear(x).view(-1, self.pieces, self.units).amax(dim=1)


class Dropout(nn.Module):
    """Inverted dropout whose mask is floor(u + keep) for u ~ U[0, 1): 1 with probability keep.

    Same distribution as `nn.Dropout`, but the mask is built with float arithmetic only;
    `bernoulli_` (which `nn.Dropout` uses) measured about 4x slower on a 2-core CPU.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = 1.0 - self.p
        mask = torch.rand_like(x).add_(keep).floor_().mul_(1.0 / keep)
        return x * mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


class MinibatchStdDev(nn.Module):
    """Appends one feature map to [B, C, H, W] features: how much the samples of a group differ
    (Karras et al. 2018). For each group of `group_size` consecutive samples, the standard
    deviation of every feature over the group, averaged over features and positions, is
    broadcast as an extra channel. A G whose samples look alike gets a low value that D can
    learn to flag, so G is pushed towards variety.

    Groups are runs of consecutive samples, not strided ones: the trainer judges [real; fake] in
    one pass, and with halves that are multiples of the group size no group mixes the two, so the
    pass equals two separate ones. A batch that is not a multiple ends with a shorter group (a
    group of one sample has no spread, so its value is about 0).
    """

    def __init__(self, group_size: int) -> None:
        super().__init__()
        if group_size < 2:
            raise ValueError(f"a minibatch standard deviation needs groups of >= 2 samples, "
                             f"got {group_size}")
        self.group_size = group_size

    def forward(self, x: Tensor) -> Tensor:
        """[B, C, H, W] -> [B, C + 1, H, W]."""
        batch = x.shape[0]
        whole = batch - batch % self.group_size
        spreads = [_group_spreads(x[:whole], self.group_size)] if whole else []
        if whole < batch:
            spreads.append(_group_spreads(x[whole:], batch - whole))
        plane = torch.cat(spreads).to(x.dtype).view(batch, 1, *[1] * (x.dim() - 2))
        return torch.cat([x, plane.expand(batch, 1, *x.shape[2:])], dim=1)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}"


def _group_spreads(x: Tensor, size: int) -> Tensor:
    """x [n * size, ...] in groups of `size` consecutive samples -> [n * size]: each sample's
    group's standard deviation, averaged over features and positions."""
    # float32 statistics under bf16 autocast: the variance of values close to each other loses
    # most of its digits in bf16's 8-bit mantissa.
    groups = x.float().reshape(len(x) // size, size, -1)
    # The variance by hand: `Tensor.var` over this small middle axis measured 10-20 ms on 2 CPU
    # cores for a batch of 128 (64 x 7 x 7 features), these three steps under 1 ms
    # (benchmarks/minibatch_std_cost.py).
    centred = groups - groups.mean(dim=1, keepdim=True)
    spread = (centred.square().mean(dim=1) + 1e-8).sqrt().mean(dim=1)
    return spread.repeat_interleave(size)
