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


def cpu_has_bf16_units() -> bool:
    """Whether this CPU multiplies bf16 matrices in hardware: AMX tiles (~3.6x fp32's matmul
    throughput, BENCHMARKS.md) or AVX512-BF16 dot products (~4x on a 2-core AMD EPYC of CPU
    family 26, ~1.9x on one of family 25). torch exposes the checks only privately, so a torch
    without them reads as no."""
    for probe_name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"):
        probe = getattr(torch.cpu, probe_name, None)
        if callable(probe) and probe():
            return True
    return False


def use_bf16_autocast(setting: bool | str, device: torch.device) -> bool:
    """Resolve `train.autocast_bf16`: True and False stand; `auto` turns autocast on only where
    it was measured faster: a CPU with bf16 units (AMX: 1.3x the steps/s; AVX512-BF16 on the
    EPYCs above: 1.3-1.5x for the DCGAN presets on family 26, 1.15-1.23x on family 25, where the
    demo's budget still scored a fifth lower FD). On an H100 these small networks ran slower under
    autocast (launch-bound: the casts cost more than the arithmetic saved), so `auto` leaves
    CUDA in fp32."""
    if setting == "auto":
        return device.type == "cpu" and cpu_has_bf16_units()
    return bool(setting)
