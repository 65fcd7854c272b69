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


def cpu_has_amx() -> bool:
    """Whether this CPU has AMX tiles, the units that multiply bf16 matrices ~3.6x faster than
    fp32 (BENCHMARKS.md). torch exposes the check only privately, so a torch without it reads
    as no."""
    probe = getattr(torch.cpu, "_is_amx_tile_supported", None)
    return bool(probe()) if callable(probe) else False


def use_bf16_autocast(setting: bool | str, device: torch.device) -> bool:
    """Resolve `train.autocast_bf16`: True and False stand; `auto` turns autocast on only where
    it was measured faster: a CPU with AMX (1.3x the steps/s). On an H100 these small networks
    ran slower under autocast (launch-bound: the casts cost more than the arithmetic saved), so
    `auto` leaves CUDA in fp32."""
    if setting == "auto":
        return device.type == "cpu" and cpu_has_amx()
    return bool(setting)
