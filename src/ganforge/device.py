"""Resolve `--device auto|cpu|cuda` once; nothing else in ganforge picks a device."""

from __future__ import annotations

import torch

from ganforge.errors import ConfigError

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> torch.device:
    """Turn a device name into a `torch.device`; `auto` prefers CUDA when it is present."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"device {name!r} asked for, but this machine has no CUDA GPU; "
                              "use --device cpu or --device auto")
        return torch.device(name)
    raise ConfigError(f"device must be one of auto, cpu, cuda[:N] (got {name!r})")
