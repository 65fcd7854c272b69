"""Seeds and random-number-generator state, so that a resumed run repeats an unbroken one."""

from __future__ import annotations

from typing import Any

import torch


def seed_everything(seed: int) -> None:
    """Seed torch's global generators (CPU and every CUDA device)."""
    torch.manual_seed(seed)


def global_rng_state(device: torch.device) -> dict[str, Any]:
    """Capture the global generators that dropout and other layers draw from."""
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def set_global_rng_state(state: dict[str, Any], device: torch.device) -> None:
    """Restore what `global_rng_state` captured."""
    torch.set_rng_state(state["cpu"].cpu())
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"].cpu(), device)


def make_generator(seed: int, device: torch.device) -> torch.Generator:
    """A private generator on `device`, so that its stream is independent of everything else."""
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator
