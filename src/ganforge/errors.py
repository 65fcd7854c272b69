"""The exceptions a user can cause; each carries the exit code that `cli.main` returns.

Only `cli.main` catches them: it prints `ganforge: error: <message>` and exits with `exit_code`.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


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


class DivergedError(GanforgeError):
    """Training produced a non-finite loss."""

    def __init__(self, step: int, message: str) -> None:
        super().__init__(message)
        self.step = step


class GanforgeWarning(UserWarning):
    """Something the user should know that does not stop the command (`ganforge: warning:`)."""
