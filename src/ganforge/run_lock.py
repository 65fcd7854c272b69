"""One run directory, one writer: an exclusive OS lock on RUN_DIR/.ganforge.lock for the whole of a
training run. The kernel drops the lock when the process ends, however it ends, so a killed run
leaves no stale lock; the file keeps the holder's PID for the refusal message. Readers (sample,
evaluate, plot) take no lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ganforge.errors import RunLockedError

LOCK_NAME = ".ganforge.lock"


@contextlib.contextmanager
def run_dir_lock(run_dir: str | Path) -> Iterator[Path]:
    """Hold the run folder's lock while the block runs; refuse at once if another process has
    it. The folder must exist."""
    path = Path(run_dir) / LOCK_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(f"run folder {run_dir} is being trained by another process "
                                 f"(PID {holder}); wait for it to finish, or stop it, or pick "
                                 "another --run-dir") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        os.close(descriptor)  # closing releases the lock


def refuse_if_locked(run_dir: str | Path) -> None:
    """Raise `RunLockedError` if a process holds `run_dir`'s lock; leave no trace otherwise."""
    if (Path(run_dir) / LOCK_NAME).is_file():
        with run_dir_lock(run_dir):
            pass


def is_lock_file(path: Path) -> bool:
    """True for the lock file, which an otherwise empty run folder may hold."""
    return path.name == LOCK_NAME
