"""`ganforge theory`: run the 1-D experiments, draw Figure 1, and print and save the checks."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ganforge.files import write_json
from ganforge.theory.drawing import save_animation, save_figure1
from ganforge.theory.figure1 import (
    THEORY_OBJECTIVES,
    Figure1Config,
    Figure1Experiment,
    Figure1Result,
)
from ganforge.theory.snapshot import Snapshot

CHECKS_NAME = "checks.json"


def run_figure1(config: Figure1Config, run_dir: str | Path, *, animate: bool = True,
                progress: bool = True) -> Figure1Result:
    """One 1-D run: figure1.png (panels a-d), figure1.gif, checks.json in `run_dir`."""
    run_dir = Path(run_dir)
    frames: list[Snapshot] = []
    total = config.inner_steps + config.steps
    start = time.perf_counter()
    with tqdm(total=total, desc=_name(config), disable=not progress, unit="update",
              leave=False) as bar:
        result = Figure1Experiment(config).run(frames.append if animate else None, bar.update)
    result.checks["train_seconds"] = time.perf_counter() - start
    save_figure1(result.panels, run_dir / "figure1.png")
    if animate and frames:
        save_animation(frames, run_dir / "figure1.gif")
    result.checks["seconds"] = time.perf_counter() - start
    write_json(result.checks, run_dir / CHECKS_NAME)
    return result


def _name(config: Figure1Config) -> str:
    return f"{config.loss}-k{config.k}"


def run_checks(base: Figure1Config, run_dir: str | Path, *, ks: Sequence[int] = (1, 5),
               animate: bool = False, progress: bool = True) -> list[Figure1Result]:
    """The equilibrium matrix: every objective the checks hold for (the logistic D's G losses),
    each k; one sub-folder and figure per run."""
    results = []
    for objective in THEORY_OBJECTIVES:
        for k in ks:
            config = dataclasses.replace(base, loss=objective, k=k)
            results.append(run_figure1(config, Path(run_dir) / _name(config), animate=animate,
                                       progress=progress))
    write_json([r.checks for r in results], Path(run_dir) / CHECKS_NAME)
    return results


def _mark(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def format_checks(results: Sequence[Figure1Result]) -> str:
    """The checks of several runs as one text table."""
    lines = [
        f"{'run':<18}{'max|D-D*|':>10}{'':>7}{'V-(2JSD-log4)':>15}{'':>7}"
        f"{'E|D-1/2|':>10}{'JSD':>9}{'V+log4':>9}{'':>8}{'p_g by':>21}{'secs':>6}",
        f"{'target':<18}{'<= 0.03':>10}{'':>7}{'|.| <= 0.01':>15}{'':>7}"
        f"{'<= 0.05':>10}{'<= 0.01':>9}{'|.|<=.02':>9}",
    ]
    for result in results:
        inner, value, eq = (result.checks[k] for k in ("inner_loop", "value_at_optimum",
                                                       "equilibrium"))
        lines.append(
            f"{_name(result.config):<18}{inner['max_abs_d_minus_d_star']:>10.4f}"
            f"{_mark(inner['passed']):>7}{value['difference']:>15.5f}{_mark(value['passed']):>7}"
            f"{eq['mean_abs_d_minus_half']:>10.4f}{eq['jsd']:>9.5f}{eq['value_plus_log4']:>9.4f}"
            f"{_mark(eq['passed']):>8}{eq['p_g_method']:>21}{result.checks['seconds']:>6.0f}")
    return "\n".join(lines)


def summary(results: Sequence[Figure1Result]) -> dict[str, Any]:
    """Whether every check of every run met its target."""
    return {"all_passed": all(r.checks[k]["passed"] for r in results
                              for k in ("inner_loop", "value_at_optimum", "equilibrium"))}
