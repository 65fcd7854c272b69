"""Read IDX files (the MNIST family's format), plain or gzipped."""

from __future__ import annotations

import gzip
import io
import math
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.errors import DataError
from ganforge.memory import require_memory

# Type byte -> big-endian numpy dtype, from the IDX format's definition.
_IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _open(path: Path) -> io.BufferedIOBase:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"  # gzip magic, whatever the file is called
    return gzip.GzipFile(path, "rb") if gzipped else path.open("rb")


def _read_into(file: io.BufferedIOBase, view: memoryview) -> int:
    """Fill `view` from `file` in 1 MB pieces (gzip's readinto would allocate the whole size
    again); return how many bytes arrived."""
    filled = 0
    while filled < len(view):
        count = file.readinto(view[filled:filled + (1 << 20)])
        if not count:
            break
        filled += count
    return filled


# Deflate cannot shrink data more than about 1032:1, so a gzip file that would need more than
# this many bytes of output per byte of input is lying about its contents.
_MAX_DEFLATE_RATIO = 1032


def _check_size_promise(path: Path, file: io.BufferedIOBase, shape: tuple[int, ...],
                        payload: int) -> None:
    """Refuse a header whose promised payload the file cannot hold, or the machine cannot,
    before the array is allocated."""
    on_disk = path.stat().st_size
    gzipped = isinstance(file, gzip.GzipFile)
    possible = on_disk * _MAX_DEFLATE_RATIO if gzipped else on_disk - file.tell()
    if payload > possible:
        raise DataError(f"IDX file {path} is truncated or corrupt: its header promises shape "
                        f"{list(shape)} ({payload:,} data bytes), more than a {on_disk:,}-byte "
                        f"{'gzip ' if gzipped else ''}file can hold")
    require_memory(payload, f"IDX file {path} (shape {list(shape)})")


def read_idx(path: str | Path) -> np.ndarray:
    """Return the array stored in an IDX file (`.gz` is decompressed), in native byte order.

    The payload streams straight into its final array: no intermediate copies, so loading
    Fashion-MNIST's 55 MB costs little more than 55 MB.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"IDX file {path} not found")
    try:
        with _open(path) as file:
            magic = file.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_DTYPES:
                raise DataError(f"{path} is not an IDX file (bad magic number)")
            dtype, ndim = _IDX_DTYPES[magic[2]], magic[3]
            header = file.read(4 * ndim)
            if ndim == 0 or len(header) < 4 * ndim:
                raise DataError(f"IDX file {path} has a truncated header")
            shape = tuple(int(d) for d in np.frombuffer(header, dtype=">u4"))
            _check_size_promise(path, file, shape, dtype.itemsize * math.prod(shape))
            data = np.empty(shape, dtype=dtype)
            filled = _read_into(file, memoryview(data).cast("B"))  # type: ignore[arg-type]
            trailing = file.read(1)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"IDX file {path} cannot be read ({error}); re-download or re-copy it") \
            from None
    if filled != data.nbytes or trailing:
        raise DataError(f"IDX file {path} is truncated or corrupt: its header promises shape "
                        f"{shape} ({data.nbytes} data bytes) but the file holds "
                        f"{'more' if trailing else filled}")
    return data if dtype.itemsize == 1 else data.astype(dtype.newbyteorder("="))
