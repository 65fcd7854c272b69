"""Durations as people read them: shared by the progress bar's time limit and the report."""

from __future__ import annotations


def format_duration(seconds: float) -> str:
    """'42 s', '8 min 45 s' or '2 h 05 min', to the second (to the minute past an hour)."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
