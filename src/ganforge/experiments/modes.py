"""`ganforge modes`: the mode-collapse benchmark on the ring of 8 and the grid of 25 Gaussians.

Each (data set, seed) pair is an ordinary ganforge run; 2,500 samples of the final G are scored by
`metrics.modes`. Results are reported as mean +- standard error over seeds beside published rows.
"""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganforge.config import (
    DataConfig,
    RunConfig,
    apply_overrides,
    config_from_dict,
    config_to_dict,
)
from ganforge.data import build_dataset
from ganforge.files import write_json
from ganforge.metrics.keys import HIGH_QUALITY_FRACTION, MODE_REVERSE_KL, MODES_CAPTURED
from ganforge.metrics.modes import mode_coverage

MODE_DATASETS = ("ring-2d", "grid-2d")
SAMPLES = 2_500

# Published rows (modes captured, high-quality %), as the issue quotes them; their reverse KL
# values are left out rather than quoted from memory.
PUBLISHED: dict[str, dict[str, tuple[float, float]]] = {
    "GAN (Lin et al. 2018, Table 1)": {"ring-2d": (6.3, 98.2), "grid-2d": (17.3, 94.8)},
    "PacGAN4 (Lin et al. 2018, Table 1)": {"grid-2d": (24.8, 93.6)},
    "VEEGAN (Srivastava et al. 2017)": {"ring-2d": (8.0, 52.9), "grid-2d": (24.6, 40.0)},
}


@dataclass(frozen=True)
class ModeRun:
    dataset: str
    seed: int
    metrics: dict[str, float]
    seconds: float
    run_dir: str


def exit_with_parent(parent_pid: int, poll_s: float = 0.5) -> None:
    """Worker initializer: end this worker once its parent is gone.

    SIGTERM or SIGKILL on `ganforge modes` ends the parent without the pool's clean-up, and the
    spawned workers would otherwise train on, unseen, taking the cores from whatever runs next.
    An orphan is re-parented, so a changed parent pid means the parent died.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_one(config_values: dict[str, Any], dataset: str, seed: int, run_dir: str,
             threads: int) -> ModeRun:
    """One training run and its score (a top-level function, so that workers can run it)."""
    from ganforge.training.run import train

    torch.set_num_threads(threads)
    config = apply_overrides(config_from_dict(config_values),
                             {"data.name": dataset, "seed": seed, "train.progress": False})
    start = time.perf_counter()
    result = train(config, run_dir)
    distribution = build_dataset(config.data).distribution
    assert distribution is not None
    samples = result.generator.sample(SAMPLES, seed=10_000 + seed)
    metrics = mode_coverage(samples, distribution.means, float(distribution.stds[0]))
    return ModeRun(dataset, seed, metrics, time.perf_counter() - start, run_dir)


def run_benchmark(config: RunConfig, run_dir: str | Path, *, seeds: int = 10,
                  datasets: Sequence[str] = MODE_DATASETS, workers: int = 2,
                  progress: bool = True) -> list[ModeRun]:
    """Train every (data set, seed) pair, `workers` at a time with one thread each."""
    from tqdm import tqdm

    run_dir = Path(run_dir)
    values = config_to_dict(config)
    jobs = [(dataset, seed) for dataset in datasets for seed in range(seeds)]
    threads = max(1, torch.get_num_threads() // workers)
    runs: list[ModeRun] = []
    # spawn: a clean interpreter per worker (fork would copy torch's thread pools).
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context,
                                                initializer=exit_with_parent,
                                                initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_run_one, values, dataset, seed,
                               str(run_dir / f"{dataset}-seed{seed}"), threads)
                   for dataset, seed in jobs]
        for future in tqdm(concurrent.futures.as_completed(futures), total=len(futures),
                           desc="mode benchmark", unit="run", disable=not progress):
            runs.append(future.result())
    return sorted(runs, key=lambda r: (r.dataset, r.seed))


def _mean_and_error(values: Sequence[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=float)
    error = float(array.std(ddof=1) / math.sqrt(len(array))) if len(array) > 1 else 0.0
    return float(array.mean()), error


def summarize(runs: Sequence[ModeRun]) -> dict[str, dict[str, Any]]:
    """Per data set: mean and standard error of each metric, and the goal's verdict."""
    summary: dict[str, dict[str, Any]] = {}
    for dataset in sorted({r.dataset for r in runs}):
        chosen = [r for r in runs if r.dataset == dataset]
        modes = build_dataset_modes(dataset)
        entry: dict[str, Any] = {"seeds": len(chosen), "num_modes": modes}
        for key in (MODES_CAPTURED, HIGH_QUALITY_FRACTION, MODE_REVERSE_KL):
            entry[key] = _mean_and_error([r.metrics[key] for r in chosen])
        entry["all_modes_every_seed"] = all(r.metrics[MODES_CAPTURED] == modes for r in chosen)
        entry["min_high_quality"] = min(r.metrics[HIGH_QUALITY_FRACTION] for r in chosen)
        entry["goal_met"] = entry["all_modes_every_seed"] and entry["min_high_quality"] >= 0.97
        entry["seconds"] = sum(r.seconds for r in chosen)
        summary[dataset] = entry
    return summary


def build_dataset_modes(dataset: str) -> int:
    distribution = build_dataset(_toy(dataset)).distribution
    assert distribution is not None
    return len(distribution.means)


def format_table(rows: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Markdown table: our rows (mean +- s.e. over seeds) beside the published ones."""
    lines = ["| model | ring: modes (of 8) | ring: high quality | ring: reverse KL | "
             "grid: modes (of 25) | grid: high quality | grid: reverse KL |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, summary in rows.items():
        cells = [name]
        for dataset in MODE_DATASETS:
            entry = summary.get(dataset)
            if entry is None:
                cells += ["", "", ""]
                continue
            modes, hq, kl = (entry[k] for k in (MODES_CAPTURED, HIGH_QUALITY_FRACTION,
                                                MODE_REVERSE_KL))
            cells += [f"{modes[0]:.1f} +- {modes[1]:.1f}",
                      f"{100 * hq[0]:.1f}% +- {100 * hq[1]:.1f}",
                      f"{kl[0]:.3f} +- {kl[1]:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    for name, published in PUBLISHED.items():
        cells = [f"{name} (published)"]
        for dataset in MODE_DATASETS:
            if dataset in published:
                modes, hq = published[dataset]
                cells += [f"{modes}", f"{hq}%", ""]
            else:
                cells += ["", "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def save_stages_figure(runs: Sequence[ModeRun], path: str | Path, seed: int = 0) -> None:
    """Scatter plots of G's samples at each saved stage of training, for one seed per data set."""
    from ganforge.viz.plots import save_stage_scatter

    rows = []
    for run in runs:
        if run.seed != seed:
            continue
        stages = [(f"step {int(p.stem.split('_')[1]):,}", np.load(p)["points"])
                  for p in sorted((Path(run.run_dir) / "samples").glob("step_*.npz"))]
        rows.append((run.dataset, stages, build_dataset(_toy(run.dataset)).distribution))
    if rows:
        save_stage_scatter(rows, path)


def _toy(dataset: str) -> DataConfig:
    """A (validated) config for a toy source that draws almost nothing: we need its density."""
    values = {"data": {"name": dataset, "toy": {"num_train": 1, "num_test": 1}}}
    return config_from_dict(values).data


def save_results(name: str, runs: Sequence[ModeRun], run_dir: str | Path) -> dict[str, Any]:
    summary = summarize(runs)
    save_stages_figure(runs, Path(run_dir) / "stages.png")
    write_json({"name": name, "summary": summary,
                "runs": [{"dataset": r.dataset, "seed": r.seed, "seconds": r.seconds,
                          **r.metrics} for r in runs]}, Path(run_dir) / "modes.json")
    return summary
