"""Read IDX files (the MNIST family's format), plain or gzipped."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.errors import DataError

# Type byte -> big-endian numpy dtype, from the IDX format's definition.
_IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | Path) -> np.ndarray:
    """Return the array stored in an IDX file (`.gz` is decompressed), in native byte order."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"IDX file {path} not found")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"IDX file {path} cannot be read ({error}); re-download or re-copy it") \
            from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header_size = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header_size:
        raise DataError(f"IDX file {path} has a truncated header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header_size + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(f"IDX file {path} is truncated or corrupt: header promises shape {shape} "
                        f"({expected} bytes) but the file holds {len(raw)} bytes")
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    # A copy in native byte order: frombuffer's view is read-only, which torch cannot wrap.
    return data.astype(dtype.newbyteorder("="))
