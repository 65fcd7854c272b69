"""A benchmark's raw results json (under benchmarks/results/): read at the start of a run, so a
re-run adds to what earlier runs measured, and saved after each finished piece of work.

Both ends guard hours of CPU time. A file that cannot be read stops the run before it trains
anything (a re-run that started from {} would overwrite it), and a save replaces the file
atomically (a kill mid-write leaves the previous file whole)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganforge.files import write_json

# The grid and study files are stored at this indent: a re-run's diff shows changed rows only.
INDENT = 1


def load_results(path: Path) -> dict[str, Any]:
    """The results saved at `path`, or {} before the first run. A file that is not a JSON object
    ends the run with a one-line error naming it."""
    if not path.is_file():
        return {}
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SystemExit(f"error: {path} is not valid JSON ({error}); restore it from git "
                         "or move it away to start afresh") from None
    if not isinstance(results, dict):
        # Named by JSON's kinds, not Python's ("array", not "list"; "null", not "NoneType").
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(results), "a number")
        raise SystemExit(f"error: {path} holds {kind}, not the object of results a benchmark "
                         "writes; restore it from git or move it away")
    return results


def load_saved_results(path: Path, option: str) -> dict[str, Any]:
    """The results an option that only redraws them (`--redraw`, `--render`) reads: as
    `load_results`, but a missing file is a one-line error rather than nothing to draw."""
    if not path.is_file():
        raise SystemExit(f"error: {option}: {path} not found; run the benchmark without "
                         f"{option} first")
    return load_results(path)


def refuse_another_run(file_name: str, key: str, stored_step: int, stored_config: str | None,
                       step: int, config: str) -> None:
    """A SystemExit when the entry `key` already stored (at `stored_step`, with the configuration
    digest `stored_config`; None for entries from before digests were stored, compared by step
    alone) is another run than the one at `step` with `config`: its figures may be quoted in
    BENCHMARKS.md. The same run studied again may replace its entry."""
    if stored_step != step:
        raise SystemExit(f"error: {file_name} already holds {key!r}, a run at step "
                         f"{stored_step:,} (this one is at {step:,}): pass --tag NAME to keep "
                         "both")
    if stored_config is not None and stored_config != config:
        raise SystemExit(f"error: {file_name} already holds {key!r}, a run with another "
                         "configuration at the same step: pass --tag NAME to keep both")


def save_results(results: dict[str, Any], path: Path, indent: int = INDENT) -> None:
    """Replace `path` with `results`, atomically."""
    write_json(results, path, indent=indent)
