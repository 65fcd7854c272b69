"""Writing a benchmark's figures into BENCHMARKS.md: the text between a pair of HTML comment
markers is replaced, so hand-written prose around it survives a re-run."""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def replace_block(block: str, start: str, end: str, heading: str) -> None:
    """Put `block` (which begins with `start` and ends with `end`) where the old one was, or at
    the end of the file under `heading` the first time."""
    content = BENCHMARKS.read_text(encoding="utf-8")
    if start in content:
        content = re.sub(f"{re.escape(start)}.*?{re.escape(end)}", lambda _: block, content,
                         flags=re.S)
    else:
        content += f"\n## {heading}\n\n{block}\n"
    BENCHMARKS.write_text(content, encoding="utf-8")
