"""Multi-process training with PyTorch's own engine: torchrun's environment -> process group,
DistributedDataParallel wrappers, and the few collectives the trainer needs. Nothing else in
ganforge touches torch.distributed."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from ganforge.device import resolve_device


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands: rank 0 of 1 when not launched by torchrun."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes checkpoints, grids and logs."""
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_distributed(device_name: str) -> tuple[DistInfo, torch.device]:
    """Join the process group torchrun describes (gloo on CPU, NCCL on CUDA) and pick the device."""
    if not launched_by_torchrun():
        return DistInfo(), resolve_device(device_name)
    info = DistInfo(rank=int(os.environ["RANK"]), local_rank=int(os.environ["LOCAL_RANK"]),
                    world_size=int(os.environ["WORLD_SIZE"]))
    device = resolve_device(device_name)
    if device.type == "cuda":
        device = torch.device("cuda", info.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo",
                                device_id=device if device.type == "cuda" else None)
    return info, device


def shutdown_distributed() -> None:
    """Leave the process group cleanly, on every rank, at the end of training."""
    if dist.is_initialized():
        # DDP wrappers sit in reference cycles; collected at interpreter exit instead, their
        # gloo work objects abort the process (SIGABRT). Free them while Python is alive, and
        # let no rank tear down its connections while another still uses them.
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()


def rank_seed(seed: int, rank: int) -> int:
    """An independent seed per rank (dropout masks must differ between ranks)."""
    return int(np.random.SeedSequence([seed, rank]).generate_state(1)[0])


def wrap_for_training(module: nn.Module, info: DistInfo, device: torch.device) -> nn.Module:
    """DDP-wrap a network whose gradients must be averaged across ranks; identity otherwise."""
    if not info.enabled:
        return module
    device_ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(module, device_ids=device_ids)


def average_across_ranks(tensor: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Mean of `tensor` over all ranks (in place); a no-op for one process."""
    if info.enabled:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        tensor.div_(info.world_size)
    return tensor


def gather_objects(obj: Any, info: DistInfo) -> list[Any]:
    """Every rank's `obj`, in rank order (used for per-rank RNG states in checkpoints)."""
    if not info.enabled:
        return [obj]
    gathered: list[Any] = [None] * info.world_size
    dist.all_gather_object(gathered, obj)
    return gathered


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def broadcast_object(obj: Any, info: DistInfo) -> Any:
    """Rank 0's `obj` on every rank (e.g. a default run folder named after the clock)."""
    if not info.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]
