"""`python -m ganforge` and the `ganforge` command (torchrun launches it this way too).

The command's heavy imports (torch, matplotlib, torchmetrics) take seconds. An interrupt in the
middle of one can leave a half-initialised module behind, so while they run, Ctrl-C ends the
process at once with one line and exit code 130 (nothing has been written yet); `cli.main` then
hands Ctrl-C back to Python, where the commands handle it.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

INTERRUPTED = 130


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("ganforge: interrupted\n")
    sys.stderr.flush()
    os._exit(INTERRUPTED)


def entry() -> int:
    """Run the command line, with Ctrl-C handled from the first instruction on."""
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    from ganforge.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(entry())
