"""Memory estimated from shapes before anything is allocated: a request that cannot fit is
refused in one line that states the estimate and what the machine has, instead of failing deep
in the allocator (or slowly filling the machine)."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from ganforge.errors import ResourceError

FLOAT_BYTES = 4


def format_bytes(count: float) -> str:
    """1536 -> '1.5 KB': for messages."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(count) < 1024 or unit == "PB":
            return f"{count:.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1024
    raise AssertionError("unreachable")


def available_bytes(device: torch.device | str = "cpu") -> int:
    """Memory a new allocation can have now: free GPU memory, or the kernel's MemAvailable."""
    device = torch.device(device)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def require_memory(needed: float, what: str, device: torch.device | str = "cpu") -> None:
    """Refuse `what` if it needs more memory than `device` has available."""
    available = available_bytes(device)
    if needed > available:
        raise ResourceError(f"{what} needs about {format_bytes(needed)} of memory; this machine "
                            f"has {format_bytes(available)} available: ask for less")


def require_disk(needed: float, what: str, folder: str | Path) -> None:
    """Refuse `what` if it would write more than the disk under `folder` has free."""
    existing = Path(folder).resolve()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if needed > free:
        raise ResourceError(f"{what} needs about {format_bytes(needed)} of disk; {existing} has "
                            f"{format_bytes(free)} free: ask for less")


def tensor_bytes(shape: Sequence[int], itemsize: int = FLOAT_BYTES) -> int:
    """Bytes of a dense tensor of `shape`."""
    return math.prod(shape) * itemsize


def activation_bytes(module: nn.Module, inputs: torch.Tensor, *more: torch.Tensor) -> int:
    """Bytes of every leaf module's output for `inputs` (and any further arguments, such as class
    labels), traced on the meta device: what a forward pass keeps for its backward pass, to the
    first order."""
    total = 0

    def count(_module: nn.Module, _inputs: object, output: object) -> None:
        nonlocal total
        if isinstance(output, torch.Tensor):
            total += output.numel() * output.element_size()

    handles = [m.register_forward_hook(count) for m in module.modules()
               if not list(m.children())]
    try:
        with torch.no_grad():
            module(inputs, *more)
    finally:
        for handle in handles:
            handle.remove()
    return total


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
