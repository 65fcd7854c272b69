"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it over `path`, else delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        if error.filename == str(temporary) or error.filename is None:
            # Name the file the user asked for, not our temporary one.
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    finally:
        temporary.unlink(missing_ok=True)


def write_json(data: Any, path: str | Path, indent: int = 2) -> None:
    """Write `data` as indented JSON, atomically: a benchmark that saves hours of results after
    each run must not lose them all to a crash in the middle of one write."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=indent) + "\n", encoding="utf-8")


def read_json_lines(path: str | Path) -> tuple[list[dict[str, Any]], int]:
    """The JSON objects of a .jsonl file's complete lines, and how many lines could not be
    read. A line that a crash or a concurrent writer cut short (no newline, or not JSON) is
    one of the latter, never an error."""
    records, skipped = [], 0
    with Path(path).open(encoding="utf-8", errors="replace") as file:
        for line in file:
            if not line.strip():
                continue
            try:
                record = json.loads(line) if line.endswith("\n") else None
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                records.append(record)
            else:
                skipped += 1
    return records, skipped
