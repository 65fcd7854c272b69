"""`python -m ganforge` runs the command-line tool (torchrun launches it this way too)."""

import sys

from ganforge.cli import main

sys.exit(main())
