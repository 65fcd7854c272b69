"""Shared fixtures: a tiny CPU config (8x8 digits, small MLPs), a trained digits run, and helpers
that write data files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

import ganforge
from ganforge.config import RunConfig, apply_overrides

TINY_OVERRIDES = {
    "data.name": "digits",
    "model.mlp.g_hidden": "32",
    "model.mlp.d_hidden": "16",
    "model.mlp.d_pieces": "2",
    "train.steps": "20",
    "train.batch_size": "16",
    "train.progress": "false",
    "train.log_every_steps": "5",
    "train.sample_every_steps": "10",
    "train.checkpoint_every_steps": "10",
    "train.grid_samples": "16",
    "device": "cpu",
}


@pytest.fixture
def tiny_config() -> RunConfig:
    return apply_overrides(RunConfig(), TINY_OVERRIDES)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ganforge-cache")


@pytest.fixture(autouse=True)
def classifier_cache(_session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache shared by the session's tests (the MNIST classifier trains once), never the
    user's own: every test gets it, so no test can write into the user's cache."""
    monkeypatch.setenv("GANFORGE_CACHE_DIR", str(_session_cache))
    return _session_cache


@pytest.fixture
def quick_classifier(classifier_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A smaller budget for the feature classifier of the 8x8 digits: ~37 epochs, 4 s, ~95%
    accurate, enough for class coverage's floor. Tests that share it share its cache entry."""
    from ganforge.metrics import features

    monkeypatch.setattr(features, "IMAGES_PER_RUN", 60_000)


DIGITS_RUN_OVERRIDES = {
    "data.name": "digits", "model.mlp.g_hidden": "64", "model.mlp.d_hidden": "32",
    "model.mlp.d_pieces": "2", "train.steps": "60", "train.batch_size": "32",
    "train.progress": "false", "device": "cpu",
}


def train_digits_run(run_dir: Path, **overrides: str) -> Path:
    """Train 60 steps on the 8x8 digits into `run_dir` (settings as dotted names)."""
    ganforge.train(apply_overrides(RunConfig(), {**DIGITS_RUN_OVERRIDES, **overrides}), run_dir)
    return run_dir


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder of 60 steps on the 8x8 digits, shared by one test module's tests."""
    return train_digits_run(tmp_path_factory.mktemp("digits") / "run")


@pytest.fixture(scope="module")
def batchnorm_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class-conditional G whose BatchNorms take a gain and bias per class, with an average."""
    return train_digits_run(tmp_path_factory.mktemp("batchnorm_run") / "run", **{
        "model.mlp.g_batchnorm": "true", "model.conditional": "true",
        "model.g_conditioning": "batchnorm", "train.ema_decay": "0.9"})


def write_idx(path: Path, array: np.ndarray, *, compress: bool = False) -> Path:
    """Write `array` (uint8) as an IDX file, gzipped when `compress`."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def write_idx_folder(folder: Path, *, n_train: int = 40, n_test: int = 10, size: int = 28,
                     compress: bool = True) -> Path:
    """A folder laid out like MNIST's download: train-/t10k- images and labels."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    suffix = ".gz" if compress else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}",
                  rng.integers(0, 256, (n, size, size), dtype=np.uint8), compress=compress)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}",
                  rng.integers(0, 10, n, dtype=np.uint8), compress=compress)
    return folder
