"""Checkpoints: state_dicts, counters, RNG states and the config, written atomically and loaded
with `weights_only=True` (never pickled modules)."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from ganforge.errors import CheckpointError
from ganforge.files import atomic_path

FORMAT_VERSION = 1
CHECKPOINT_NAME = "latest.pt"
REQUIRED_KEYS = ("format_version", "config", "step", "generator", "discriminator",
                 "sample_shape")


def checkpoint_path(run_dir: str | Path) -> Path:
    """Where a run keeps its latest checkpoint."""
    return Path(run_dir) / "checkpoints" / CHECKPOINT_NAME


def save_checkpoint(payload: dict[str, Any], path: str | Path) -> None:
    """Write `payload` to `path` so that readers see the old file or the new one, never half."""
    with atomic_path(path) as temporary:
        torch.save({"format_version": FORMAT_VERSION, **payload}, temporary)


def resolve_checkpoint(path: str | Path) -> Path:
    """Accept a run folder or a checkpoint file; return the checkpoint file."""
    path = Path(path)
    if path.is_dir():
        candidate = checkpoint_path(path)
        if not candidate.is_file():
            raise CheckpointError(f"{path} holds no checkpoint ({candidate} not found); "
                                  "is it a ganforge run folder?")
        return candidate
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} not found; pass a run folder or a .pt file")
    return path


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load and check a checkpoint; a truncated, corrupt or foreign file is a `CheckpointError`."""
    file = resolve_checkpoint(path)
    try:
        payload = torch.load(file, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, OSError, pickle.UnpicklingError, zipfile.BadZipFile,
            ValueError, KeyError, IndexError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(f"checkpoint {file} is truncated or corrupt ({reason}); "
                              "resume from an earlier copy or start a new run") from None
    if not isinstance(payload, dict) or any(key not in payload for key in REQUIRED_KEYS):
        raise CheckpointError(f"{file} is not a ganforge checkpoint (required keys missing)")
    if payload["format_version"] != FORMAT_VERSION:
        raise CheckpointError(f"{file} has checkpoint format {payload['format_version']}; this "
                              f"ganforge reads format {FORMAT_VERSION}")
    return payload
