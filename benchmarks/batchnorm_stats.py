"""The `--measure-batchnorm N` option of the studies of what the moving average of G's weights
does to its samples (`fd_terms.py`, `temperature.py`): G's BatchNorm statistics measured on its
own activations before scoring (`ganforge.batchnorm`), the study keyed KEY/measure-batchnorm=N.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.quality_vs_peer import at_least_one  # noqa: E402
from ganforge.batchnorm import BatchNormMeasurement, measure_batchnorm  # noqa: E402
from ganforge.sampler import Sampler  # noqa: E402

STUDY_SEED = 0
"""The noise the studies measure on. It is the first noise of the report's first draw (seed 0),
not the library's MEASURE_SEED; kept so that the stored studies reproduce (BENCHMARKS.md says
so beside them)."""


def add_measure_option(parser: argparse.ArgumentParser) -> None:
    """`--measure-batchnorm N`, shared by the studies that take it: N >= 1 batches; without it
    the statistics training kept are used."""
    parser.add_argument("--measure-batchnorm", type=at_least_one, default=0, metavar="N",
                        help="first measure G's BatchNorm statistics on its own activations, "
                             "over N batches of the size G trained on, drawn at T = 1 "
                             "(the study is keyed KEY/measure-batchnorm=N)")


def measured_key(key: str, batches: int) -> str:
    """A study's results key: `key` itself, or KEY/measure-batchnorm=N when the statistics
    were measured on N batches (0: kept as trained)."""
    return f"{key}/measure-batchnorm={batches}" if batches else key


def measure_for_study(generator: Sampler, batches: int) -> BatchNormMeasurement:
    """`measure_batchnorm` on the studies' noise (its `moved` is what a study stores)."""
    return measure_batchnorm(generator, batches, seed=STUDY_SEED)


def report_moved(name: str, moved: list[dict[str, Any]]) -> None:
    """Print `measure_batchnorm`'s comparison, one line per BatchNorm."""
    for layer in moved:
        ratio = layer["variance_ratio"]
        print(f"{name}: BatchNorm {layer['layer']} ({layer['features']} features): means moved "
              f"{layer['mean_shift']:.4f} kept s.d.; variance measured / kept "
              f"{ratio['median']:.3f} (median), {ratio['min']:.3f}-{ratio['max']:.3f}",
              flush=True)
