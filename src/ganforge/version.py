"""The installed package's version (single source: pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ganforge")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
