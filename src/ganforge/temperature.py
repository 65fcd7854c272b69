"""Choosing a sampling temperature on the validation split, and keeping the choice in the run
folder (RUN_DIR/temperature.json) so that `sample` and `evaluate` can use it by name.

The choice must not see the samples or the real images a reported score uses: it scores its
own draw of samples (seed 1000 by default; `evaluate` starts at seed 0) against the validation
split (`evaluate` compares with the test split). A data set without a validation split
(Fashion-MNIST, an image folder) lends one from its training images
(`Dataset.carve_validation`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ganforge.batchnorm import BatchNormMeasurement, training_batch_size
from ganforge.checkpoint import CHECKPOINT_NAME, load_checkpoint, resolve_checkpoint, run_dir_of
from ganforge.config import config_from_dict
from ganforge.data import Dataset, build_dataset
from ganforge.errors import ConfigError
from ganforge.evaluation import evaluate, merged_scores
from ganforge.files import write_json
from ganforge.metrics import keys
from ganforge.sampler import Sampler, check_temperature
from ganforge.version import __version__

TEMPERATURE_FILE = "temperature.json"
TUNED = "tuned"
"""What `--temperature` takes to mean the run folder's stored choice."""
DEFAULT_TEMPERATURES = (0.9, 0.95, 1.0, 1.05, 1.1, 1.15)
CHOICE_SEED = 1000
"""Far from the seeds `evaluate --draws N` reads (0 .. N-1)."""
PRDC = (keys.PRECISION, keys.RECALL, keys.DENSITY, keys.COVERAGE)


def weakest_ratio(values: dict[str, float], floor: dict[str, float]) -> float:
    """The lowest of precision / recall / density / coverage as a fraction of the floor's. A
    perfect generator scores the floor on all four, so the weakest is the one a choice should
    lift (a cold G's recall, a hot G's density)."""
    return min(values[key] / floor[key] for key in PRDC)


@dataclasses.dataclass(frozen=True)
class Criterion:
    """A rule for choosing among the temperatures scored on the validation split: the row with
    the highest `merit` wins."""

    description: str
    merit: Callable[[dict[str, Any]], float]
    """A score row (temperature, values, floor, weakest_ratio) -> higher is better."""


# A new rule is one entry here; `tune-temperature --criterion` and the benchmark read this table.
CRITERIA: dict[str, Criterion] = {
    "prdc": Criterion("the highest weakest of precision / recall / density / coverage, each as "
                      "a fraction of the validation floor's value",
                      lambda row: row["weakest_ratio"]),
    "fd": Criterion("the lowest Frechet distance to the validation images",
                    lambda row: -row["values"][keys.FRECHET_DISTANCE]),
}
DEFAULT_CRITERION = "fd"
"""FD is the figure a report leads with. In the four studies where the two rules disagreed and
the test draws scored both choices, FD's had the lower test FD every time (9-10% lower on
Fashion-MNIST, under 2% on MNIST) and its weakest PRDC ratio stayed >= 0.94x the floor
(BENCHMARKS.md, "Choosing by FD"). `prdc`, the rule until 2026-12-06, brings all four PRDC
measures nearest the floor instead."""


def criterion_named(name: str) -> Criterion:
    """The registered criterion `name`; a ConfigError listing the others when there is none."""
    try:
        return CRITERIA[name]
    except KeyError:
        raise ConfigError(f"no temperature criterion named {name!r}; choose one of "
                          f"{', '.join(sorted(CRITERIA))}") from None


@dataclasses.dataclass(frozen=True)
class TemperatureChoice:
    """Every temperature tried, with its scores on the validation split, and the one chosen."""

    temperature: float
    step: int
    """G's training step: a choice belongs to one set of weights."""
    use_ema: bool
    seed: int
    scores: list[dict[str, Any]]
    """One row per temperature: temperature, step, values, floor, weakest_ratio, seed, draws."""
    held_out: str = "the validation split"
    """The real images the choice compared with, in words."""
    criterion: str = DEFAULT_CRITERION
    """The name of the rule that chose (a key of CRITERIA)."""
    batchnorm_measured: dict[str, int] | None = None
    """How G's BatchNorm statistics were measured on its own samples for the choice
    (`BatchNormMeasurement.to_record`); None: as training kept them."""

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self),
                "criterion_described": criterion_named(self.criterion).description,
                "ganforge_version": __version__, "time": time.strftime("%Y-%m-%dT%H:%M:%S")}

    def table(self) -> str:
        """One line per temperature: FD, the four PRDC values and the weakest ratio; the floor;
        then which rule marked the chosen row (FD's column decides under `fd`, the last one
        under `prdc`)."""
        names = ("FD", "precision", "recall", "density", "coverage")
        columns = (keys.FRECHET_DISTANCE, *PRDC)
        lines = [f"{'temperature':>12}" + "".join(f"{name:>11}" for name in names)
                 + f"{'weakest/floor':>15}"]
        for row in self.scores:
            mark = " *" if row["temperature"] == self.temperature else ""
            lines.append(f"{row['temperature']:>12g}"
                         + "".join(f"{row['values'][key]:>11.4f}" for key in columns)
                         + f"{row['weakest_ratio']:>15.3f}{mark}")
        floor = self.scores[0]["floor"]
        lines.append(f"{'floor':>12}" + "".join(f"{floor[key]:>11.4f}" for key in columns)
                     + f"{1:>15.3f}")
        lines.append(f"* chosen by {self.criterion!r}: "
                     f"{criterion_named(self.criterion).description}")
        return "\n".join(lines)


def pick(scores: Sequence[dict[str, Any]], criterion: str = DEFAULT_CRITERION) -> float:
    """The temperature whose row the criterion rates highest (by default the lowest FD); on a
    tie, the one nearest 1 (the prior G was trained on)."""
    merit = criterion_named(criterion).merit
    best = max(scores, key=lambda row: (merit(row), -abs(row["temperature"] - 1)))
    return float(best["temperature"])


def choose_temperature(generator: Sampler, temperatures: Sequence[float] = DEFAULT_TEMPERATURES,
                       *, seed: int = CHOICE_SEED, dataset: Dataset | None = None,
                       n_samples: int | None = None, use_ema: bool = True,
                       progress: bool = True,
                       criterion: str = DEFAULT_CRITERION) -> TemperatureChoice:
    """Score `generator` at each temperature on one draw of samples (`seed`) against the
    validation split of its data set (or of `dataset`; one carved from the training images
    where it has none), and choose by `pick` under `criterion` (a key of CRITERIA). The
    generator's own temperature is left as it was."""
    criterion_named(criterion)  # an unknown name fails before anything is scored
    if not temperatures:
        raise ConfigError("give at least one temperature to choose from")
    for temperature in temperatures:  # all of them before the first is scored
        check_temperature(temperature)
    validation = (dataset or build_dataset(generator.config.data)).validation_as_held_out()
    before = generator.temperature
    scores = []
    try:
        for temperature in sorted(set(temperatures)):
            generator.temperature = temperature
            results = evaluate(generator, metrics=("fd", "prdc"), dataset=validation,
                               seed=seed, n_samples=n_samples, log=False, progress=progress)
            values, floor = merged_scores(results)
            scores.append({"temperature": temperature, "step": generator.step,
                           "values": values, "floor": floor,
                           "weakest_ratio": weakest_ratio(values, floor), "seed": seed,
                           "draws": 1})
    finally:
        generator.temperature = before
    return TemperatureChoice(temperature=pick(scores, criterion), step=generator.step,
                             use_ema=use_ema, seed=seed, scores=scores,
                             held_out=validation.held_out_described, criterion=criterion,
                             batchnorm_measured=None if generator.batchnorm_measured is None
                             else generator.batchnorm_measured.to_record())


def choice_path(source: str | Path) -> Path:
    """Where the choice for `source`'s weights is kept: RUN_DIR/temperature.json for a run
    folder or its latest.pt, RUN_DIR/temperature-step-NNNNNNN.json for a checkpoint the run
    kept (`train.keep_checkpoint_every_steps`), so that choosing for one checkpoint never
    replaces the choice made for another."""
    checkpoint = resolve_checkpoint(source)
    run_dir = run_dir_of(source)
    if checkpoint.name == CHECKPOINT_NAME:
        return run_dir / TEMPERATURE_FILE
    return run_dir / f"{Path(TEMPERATURE_FILE).stem}-{checkpoint.stem}.json"


def save_choice(choice: TemperatureChoice, source: str | Path) -> Path:
    """Write the choice (atomically) to `choice_path(source)`, for a run folder or a checkpoint
    in one; returns its path."""
    path = choice_path(source)
    write_json(choice.to_dict(), path)
    return path


def _statistics(measured: dict[str, int] | None) -> str:
    """How a choice's BatchNorm statistics were had, in words."""
    if measured is None:
        return "as training kept them"
    return (f"measured on {measured['batches']} batches of {measured['batch_size']} "
            f"(seed {measured['seed']})")


def tuned_temperature(source: str | Path, *, use_ema: bool = True,
                      measure_batchnorm: int = 0) -> float:
    """The temperature `ganforge tune-temperature` chose for this run's checkpoint. Refuses a
    choice made for other weights (an earlier step, or EMA against raw weights) or other
    BatchNorm statistics (kept against measured on `measure_batchnorm` batches)."""
    path = choice_path(source)
    # What to tune again: the run folder for its latest.pt, the file itself for a kept one.
    tuned = run_dir_of(source) if path.name == TEMPERATURE_FILE else resolve_checkpoint(source)
    command = f"run `ganforge tune-temperature {tuned}`"
    if not path.is_file():
        raise ConfigError(f"--temperature {TUNED}: {path} not found; {command} first, or pass "
                          "a number")
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        temperature, step, ema = (float(stored["temperature"]), int(stored["step"]),
                                  bool(stored["use_ema"]))
        # Choices written before BatchNorm statistics could be measured kept them.
        measured = stored.get("batchnorm_measured")
        chosen_with = None if measured is None else \
            {key: int(measured[key]) for key in ("batches", "batch_size", "seed")}
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"{path} is not a temperature choice ({type(error).__name__}: "
                          f"{error}); {command} again") from None
    payload = load_checkpoint(source)
    checkpoint_step = int(payload["step"])
    if step != checkpoint_step:
        raise ConfigError(f"{path} was chosen for step {step:,}; the checkpoint is at step "
                          f"{checkpoint_step:,}: {command} again")
    # A run without a moving average has one set of weights: either choice fits it.
    if ema != use_ema and payload.get("ema") is not None:
        weights = "averaged (EMA)" if ema else "raw (--raw-weights)"
        raise ConfigError(f"{path} was chosen for G's {weights} weights: {command}"
                          f"{'' if use_ema else ' --raw-weights'} for these")
    wanted = None if not measure_batchnorm else BatchNormMeasurement(
        measure_batchnorm, training_batch_size(config_from_dict(payload["config"]),
                                               checkpoint_step)).to_record()
    if chosen_with != wanted:
        options = f"{'' if use_ema else ' --raw-weights'}" + \
            (f" --measure-batchnorm {measure_batchnorm}" if measure_batchnorm else "")
        raise ConfigError(f"{path} was chosen with G's BatchNorm statistics "
                          f"{_statistics(chosen_with)}, not {_statistics(wanted)}: {command}"
                          f"{options} for these")
    return temperature
