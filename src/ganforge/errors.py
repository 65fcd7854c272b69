"""The exceptions a user can cause; each carries the exit code that `cli.main` returns.

Only `cli.main` catches them: it prints `ganforge: error: <message>` and exits with `exit_code`.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno


class GanforgeError(Exception):
    """A user-facing error: one line that says what is wrong and how to fix it."""

    exit_code: int = 1


class ConfigError(GanforgeError):
    """An unknown key, an invalid value or an impossible combination of settings."""

    exit_code = 2


class DataError(GanforgeError):
    """A data source that is missing, unreadable, corrupt or of the wrong shape."""


class CheckpointError(GanforgeError):
    """A checkpoint that is missing, truncated, corrupt or from an incompatible version."""


class RunLockedError(GanforgeError):
    """Another process is training in the same run folder."""


class ResourceError(GanforgeError):
    """A request that needs more memory or disk than the machine has (refused before trying)."""

    exit_code = 2


class DivergedError(GanforgeError):
    """Training produced a non-finite loss."""

    def __init__(self, step: int, message: str) -> None:
        super().__init__(message)
        self.step = step


class GanforgeWarning(UserWarning):
    """Something the user should know that does not stop the command (`ganforge: warning:`)."""


# The causes an operating-system error can have, in words a user can act on.
_OS_CAUSES = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied (read-only?)",
    errno.EPERM: "permission denied (read-only?)",
    errno.ENOTDIR: "not a folder: a part of the path is a file",
    errno.EEXIST: "already exists as a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOENT: "not found",
    errno.ENAMETOOLONG: "name too long",
    errno.EMFILE: "too many open files",
}


def describe_os_error(error: OSError) -> str:
    """One line for an operating-system error: the path and the cause, in words."""
    cause = _OS_CAUSES.get(error.errno or 0, error.strerror or str(error))
    path = error.filename if error.filename is not None else "a file"
    return f"{path}: {cause}"
