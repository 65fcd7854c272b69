"""Checkpoints: state_dicts, counters, RNG states and the config, written atomically and loaded
with `weights_only=True` (never pickled modules)."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from ganforge.errors import CheckpointError
from ganforge.files import atomic_path

FORMAT_VERSION = 1
CHECKPOINT_NAME = "latest.pt"
KEPT_PREFIX = "step-"
"""A kept checkpoint's name: this, its step in seven digits, .pt."""
REQUIRED_KEYS = ("format_version", "config", "step", "generator", "discriminator",
                 "sample_shape")


def checkpoint_path(run_dir: str | Path) -> Path:
    """Where a run keeps its latest checkpoint."""
    return Path(run_dir) / "checkpoints" / CHECKPOINT_NAME


def kept_checkpoint_path(run_dir: str | Path, step: int) -> Path:
    """Where a run keeps its checkpoint of `step` (`train.keep_checkpoint_every_steps`)."""
    return Path(run_dir) / "checkpoints" / f"{KEPT_PREFIX}{step:07d}.pt"


def kept_checkpoints(run_dir: str | Path) -> list[tuple[int, Path]]:
    """The checkpoints a run kept, as (step, file), earliest first; [] when it kept none."""
    kept = []
    for file in (Path(run_dir) / "checkpoints").glob(f"{KEPT_PREFIX}*.pt"):
        digits = file.stem.removeprefix(KEPT_PREFIX)
        if digits.isdigit():  # not a stray file that only looks like one
            kept.append((int(digits), file))
    return sorted(kept)


def save_checkpoint(payload: dict[str, Any], path: str | Path, *copies: str | Path) -> None:
    """Write `payload` to `path`, and to each of `copies`, so that readers see the old file or
    the new one, never half."""
    # Serialise in memory, then write plain bytes: a full disk or a read-only folder is then an
    # OSError naming the path and its cause, not an error from torch's zip writer.
    buffer = io.BytesIO()
    torch.save({"format_version": FORMAT_VERSION, **payload}, buffer)
    for destination in (path, *copies):
        with atomic_path(destination) as temporary:
            temporary.write_bytes(buffer.getbuffer())


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


def run_dir_of(path: str | Path) -> Path:
    """The run folder of a run folder, or of a checkpoint file (in a run's checkpoints/ or not)."""
    checkpoint = resolve_checkpoint(path)
    return checkpoint.parent.parent if checkpoint.parent.name == "checkpoints" else \
        checkpoint.parent


def _corrupt(file: Path, error: Exception) -> CheckpointError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return CheckpointError(f"checkpoint {file} is truncated or corrupt ({reason}); resume from an "
                           "earlier copy or start a new run")


def describe_state_mismatch(modules: dict[str, torch.nn.Module], payload: dict[str, Any],
                            limit: int = 3) -> str:
    """Which tensors of `payload[name]` do not fit `modules[name]`: the first few, with both
    shapes ('' when every shape fits)."""
    differences = []
    for name, module in modules.items():
        saved = payload.get(name) or {}
        for key, tensor in module.state_dict().items():
            if key not in saved:
                differences.append(f"{name}.{key}: missing from the checkpoint")
            elif tuple(saved[key].shape) != tuple(tensor.shape):
                differences.append(f"{name}.{key}: checkpoint {list(saved[key].shape)}, "
                                   f"config {list(tensor.shape)}")
        differences += [f"{name}.{key}: not in this config's network"
                        for key in saved if key not in module.state_dict()]
    more = f" and {len(differences) - limit} more" if len(differences) > limit else ""
    return "; ".join(differences[:limit]) + more


def load_network_weights(network: torch.nn.Module, name: str, state: dict[str, Any]) -> None:
    """Load `state` into `network` (`name`: generator, discriminator), or a CheckpointError that
    names the first tensors that do not fit."""
    try:
        network.load_state_dict(state)
    except RuntimeError as error:
        detail = describe_state_mismatch({name: network}, {name: state}) or \
            str(error).splitlines()[0]
        raise CheckpointError(f"checkpoint weights do not fit the model its config describes: "
                              f"{detail}") from None


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load and check a checkpoint; a truncated, corrupt or foreign file is a `CheckpointError`."""
    file = resolve_checkpoint(path)
    try:
        payload = torch.load(file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        text = str(error)
        if "global" in text.lower():
            # The safeguard worked: say so, and never pass on torch's advice to turn it off.
            raise CheckpointError(f"{file} contains code or objects that ganforge will not load "
                                  "(untrusted pickle); use a checkpoint that ganforge wrote") \
                from None
        # torch's text around the cause suggests weights_only=False: keep only the cause.
        causes = [line.strip() for line in text.splitlines()
                  if line.strip() and "weights_only" not in line and "Weights only" not in line
                  and "WeightsUnpickler" not in line and "trusted source" not in line]
        raise _corrupt(file, pickle.UnpicklingError(causes[0] if causes else "not a checkpoint")) \
            from None
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile, ValueError, KeyError,
            IndexError) as error:
        raise _corrupt(file, error) from None
    if not isinstance(payload, dict) or any(key not in payload for key in REQUIRED_KEYS):
        raise CheckpointError(f"{file} is not a ganforge checkpoint (required keys missing)")
    if payload["format_version"] != FORMAT_VERSION:
        raise CheckpointError(f"{file} has checkpoint format {payload['format_version']}; this "
                              f"ganforge reads format {FORMAT_VERSION}")
    return payload
