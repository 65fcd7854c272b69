"""`write_report(run_dir)`: gather what a run folder holds, compute the analyses that need the
generator (latent walks, the memorisation check), and write RUN_DIR/report.html atomically."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ganforge.analysis import latent_walks, memorisation_check
from ganforge.analysis.neighbours import NeighbourCheck
from ganforge.checkpoint import checkpoint_path
from ganforge.data import Dataset, build_dataset
from ganforge.errors import ConfigError
from ganforge.files import atomic_path, read_json_lines
from ganforge.metrics.features import TrainedClassifier, cached_classifier, load_or_train_classifier
from ganforge.objectives import OBJECTIVES
from ganforge.report import sections
from ganforge.report.page import Section, render
from ganforge.sampler import Sampler, load_generator

REPORT_NAME = "report.html"
# The names of the files training and evaluation write (not imported: both sit above report).
LOG_NAME = "train.jsonl"
METRICS_LOG = "metrics.jsonl"
WALK_ROWS, WALK_STEPS = 8, 10


def _read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The complete records of a .jsonl file (a line being written is skipped); [] if none."""
    return read_json_lines(path)[0] if path.is_file() else []


def _classifier(dataset: Dataset, features: str, progress: bool) -> tuple[
        TrainedClassifier | None, str]:
    """The feature classifier as `features` asks: "always" trains it if needed, "cached" uses
    it only when already trained, "never" skips it. Returns it (or None) and why not."""
    if dataset.train_labels is None or dataset.test_labels is None:
        return None, f"{dataset.name} has no labels, so there is no feature classifier: " \
                     "pixel-space neighbours only."
    if features == "never":
        return None, "Feature-space neighbours were not asked for (--no-features)."
    arguments = (dataset.train, dataset.train_labels, dataset.test, dataset.test_labels)
    if features == "cached":
        found = cached_classifier(*arguments)
        return found, "" if found else (
            "Feature-space neighbours need the feature classifier, which is not trained yet for "
            "this data set: `ganforge report RUN_DIR` (or `ganforge evaluate`) trains it once.")
    return load_or_train_classifier(*arguments, progress=progress), ""


def training_sections(run_dir: Path, *, live: bool, sampler: Sampler | None,
                      dataset: Dataset | None, features: str,
                      progress: bool) -> list[Section]:
    """The sections of a `ganforge train` run folder."""
    config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    records = [r for r in _read_json_lines(run_dir / LOG_NAME) if isinstance(r.get("step"), int)]
    objective = OBJECTIVES.get(config.get("loss", {}).get("name", ""))
    statistics = objective.statistics if objective is not None else ()
    found: list[Section | None] = [
        sections.run_section(config, records, live=live, run_dir=run_dir),
        sections.progress_section(run_dir / "samples"),
        sections.curves_section(records, statistics),
        sections.metrics_section(_read_json_lines(run_dir / METRICS_LOG)),
    ]
    if sampler is None and checkpoint_path(run_dir).is_file():
        sampler = load_generator(run_dir, device="cpu")
    if sampler is not None and len(sampler.sample_shape) == 3:
        dataset = dataset or build_dataset(sampler.config.data)
        classifier, reason = _classifier(dataset, features, progress)
        check: NeighbourCheck = memorisation_check(sampler, dataset, classifier=classifier)
        found.append(sections.memorisation_section(check, dataset.train, reason=reason))
        found.append(sections.walks_section(
            latent_walks(sampler, rows=WALK_ROWS, steps=WALK_STEPS), WALK_STEPS,
            sampler.prior.kind == "gaussian"))
    elif sampler is None:
        found.append(sections.memorisation_section(
            None, None, reason="No checkpoint yet: the memorisation check and latent walks "
                               "appear once training has saved one."))
    return [section for section in found if section is not None]


def write_report(run_dir: str | Path, *, out: str | Path | None = None, live: bool = False,
                 sampler: Sampler | None = None, dataset: Dataset | None = None,
                 features: str = "always", progress: bool = True) -> Path:
    """Write the single-file HTML report of a training, theory or modes run folder.

    `live` makes the page reload itself (while training runs). `sampler`/`dataset` reuse ones
    in memory instead of loading the checkpoint and data again. `features`: "always" (train the
    feature classifier if needed), "cached" (use it only if trained) or "never".
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir} is not a folder; pass a ganforge run folder")
    start = time.perf_counter()
    if (run_dir / "config.json").is_file() and (run_dir / LOG_NAME).is_file():
        kind = "training run"
        found = training_sections(run_dir, live=live, sampler=sampler, dataset=dataset,
                                  features=features, progress=progress)
    else:
        theory, modes = sections.theory_section(run_dir), sections.modes_section(run_dir)
        found = [s for s in (theory, modes) if s is not None]
        kind = "theory run" if theory else "modes run"
        if not found:
            raise ConfigError(f"{run_dir} is not a ganforge run folder (no config.json with "
                              "train.jsonl, no theory checks.json, no modes summary.json)")
    subtitle = (f"{kind} · {run_dir.resolve()} · written {time.strftime('%Y-%m-%d %H:%M:%S')} "
                f"in {time.perf_counter() - start:.1f} s")
    page = render(f"ganforge report: {run_dir.name}", subtitle, found, live=live)
    path = Path(out) if out else run_dir / REPORT_NAME
    with atomic_path(path) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return path
