"""Sample quality against CPU time: ganforge's presets beside the peers' recipes, on the same
data, the same cores and the same metrics, with the real-data floor as the bar.

Each model trains once per (data set, seed), for the largest of `--minutes` of training time
(data loading, snapshots and evaluation are off the clock), and is scored at every mark: peers
from a snapshot of G taken at the mark, ganforge from its run folder (trained to the first mark,
then resumed for the difference; the EMA of G where the preset keeps one). Scores: FD, KID,
precision / recall / density / coverage and class coverage in ganforge's classifier features,
on the held-out split, 10,000 samples, evaluation seed 0; 32x32 peers are resized to 28x28 with
the data loader's antialiased resize. Prints a Markdown table (mean +- s.e. over seeds), draws
FD against minutes (one curve per model, the floor dashed) into docs/quality_vs_peer.png, and
with --write puts both into BENCHMARKS.md between the quality-vs-peer markers. Raw results go to
benchmarks/results/quality_vs_peer.json; a call replaces the rows of the (data set, model, seed)
it trains and keeps every other. --reuse starts from them: a model and seed already scored at
every asked mark is skipped, and a preset scored at the first of them, whose run folder (--runs)
is still at that step, resumes from there; anything else trains from the start.
`--redraw --write` trains nothing: it rewrites the table and plot from the json alone.

    python benchmarks/quality_vs_peer.py --data mnist --minutes 2 5 10 30 --seeds 0 1 2 --write

Training minutes compare only within one machine: `--name NAME` keeps a comparison run on other
cores apart, in benchmarks/results/NAME.json, docs/NAME.png and its own BENCHMARKS.md block.
"""

from __future__ import annotations

import argparse
import copy
import math
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from benchmarks.benchmarks_file import replace_block  # noqa: E402
from benchmarks.peers import RECIPES, PeerLoop, PeerSampler  # noqa: E402
from benchmarks.results_file import (  # noqa: E402
    load_results,
    load_saved_results,
    save_results,
)
from ganforge.config import DataConfig, apply_overrides, load_config  # noqa: E402
from ganforge.evaluation import merged_scores  # noqa: E402
from ganforge.metrics import keys  # noqa: E402
from ganforge.training.run import holds_a_run  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METRICS = ("fd", "kid", "prdc", "class_coverage")
PRESETS = {"mnist": ("mnist-dcgan-selfcond", "mnist-dcgan", "mnist-selfcond", "mnist-paper"),
           "fashion-mnist": ("fashion-dcgan-selfcond", "fashion-dcgan", "fashion-selfcond")}
NAME = "quality_vs_peer"
COLUMNS = [("FD", keys.FRECHET_DISTANCE, 2), ("KID x 1000", keys.KID, 2),
           ("precision", keys.PRECISION, 3), ("recall", keys.RECALL, 3),
           ("density", keys.DENSITY, 3), ("coverage", keys.COVERAGE, 3),
           ("classes", keys.CLASSES_COVERED, 1), ("class KL", keys.CLASS_COVERAGE_KL, 4)]


def merged_errors(results: dict[str, Any]) -> dict[str, float]:
    """The values' standard errors over sample draws (evaluate(draws=N)), merged into one dict;
    empty for a single draw."""
    errors: dict[str, float] = {}
    for result in results.values():
        errors.update(result.standard_error)
    return errors


def scored_row(mark: float, steps: int, results: dict[str, Any], draws: int) -> dict[str, Any]:
    """One mark's row of the json: its scores, with their standard errors over draws if several."""
    values, floor = merged_scores(results)
    row = {"minutes": mark, "steps": steps, "values": values, "floor": floor}
    if draws > 1:
        row.update(draws=draws, standard_error=merged_errors(results))
    return row


def at_least_one(text: str) -> int:
    """An argparse type for counts (draws, steps): an integer >= 1, else a usage error."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def add_draws_option(parser: argparse.ArgumentParser, default: int) -> None:
    """`--draws N`, shared by the benchmark scripts: how many draws of samples (seeds 0, 1, ...)
    each score averages; below 1 is a usage error."""
    parser.add_argument("--draws", type=at_least_one, default=default, metavar="N",
                        help="score on N draws of samples (seeds 0, 1, ...): mean +- s.e.; one "
                             f"draw's FD moves by ~10%% between seeds (default: {default})")


def train_peer(name: str, data: str, seed: int, marks: list[float],
               dataset_28: Any, draws: int = 1) -> list[dict[str, Any]]:
    recipe = RECIPES[name]
    images = ganforge.build_dataset(DataConfig(name=data, image_size=recipe.image_size)).train
    loop = PeerLoop(recipe, images, seed=seed)
    snapshots, trained = [], 0.0
    for mark in marks:
        start = time.perf_counter()
        while trained + (time.perf_counter() - start) < mark * 60:
            loop.step()
        trained += time.perf_counter() - start
        snapshots.append((mark, loop.steps, copy.deepcopy(loop.G)))
        print(f"  {name} seed {seed}: {mark:g} min, {loop.steps:,} steps", file=sys.stderr)
    return [scored_row(mark, steps, ganforge.evaluate(
                PeerSampler(G, dataset_28.sample_shape[-1]), metrics=METRICS, seed=0,
                dataset=dataset_28, log=False, progress=False, draws=draws), draws)
            for mark, steps, G in snapshots]


def preset_run_dir(runs: Path, data: str, preset: str, seed: int) -> Path:
    return runs / f"{data}-{preset}-seed{seed}"


def continues(done: list[dict[str, Any]], marks: list[float], run_dir: Path) -> bool:
    """Whether a preset's scored marks are the first of `marks` and its run folder still holds
    the last one's step, so that training resumes there instead of starting again."""
    done_marks = [row["minutes"] for row in done]
    if not done or marks[:len(done_marks)] != done_marks or not run_dir.is_dir():
        return False
    try:
        return ganforge.load_generator(run_dir, device="cpu").step == done[-1]["steps"]
    except ganforge.GanforgeError:
        return False


def train_preset(preset: str, data: str, seed: int, marks: list[float], runs: Path,
                 done: list[dict[str, Any]] | None = None,
                 overrides: dict[str, str] | None = None,
                 draws: int = 1) -> list[dict[str, Any]]:
    """Train `preset` (with `overrides`, dotted keys as on the command line) to each mark and
    score it there (on `draws` draws of samples: see `ganforge.evaluate`); `done` rows (see
    `continues`) are kept and training resumes from the last of them."""
    run_dir = preset_run_dir(runs, data, preset, seed)
    rows = list(done or [])
    previous = rows[-1]["minutes"] if rows else 0.0
    for mark in marks[len(rows):]:
        config = apply_overrides(load_config(preset), {
            "data.name": data, "seed": str(seed), "device": "cpu", "train.steps": "100000000",
            "train.time_limit_s": str((mark - previous) * 60),
            "train.sample_every_steps": "1000000", "train.checkpoint_every_steps": "1000000",
            **(overrides or {})})
        ganforge.train(config, run_dir, resume=previous > 0, progress=False)
        previous = mark
        results = ganforge.evaluate(run_dir, metrics=METRICS, seed=0, log=False, progress=False,
                                    draws=draws)
        step = ganforge.load_generator(run_dir, device="cpu").step
        print(f"  {preset} seed {seed}: {mark:g} min, {step:,} steps", file=sys.stderr)
        rows.append(scored_row(mark, step, results, draws))
    return rows


def _mean_se(numbers: list[float]) -> tuple[float, float]:
    mean = statistics.mean(numbers)
    error = statistics.stdev(numbers) / math.sqrt(len(numbers)) if len(numbers) > 1 else math.nan
    return mean, error


def _display_scale(key: str) -> float:
    """Tables show KID x 1000, every other value as it is."""
    return 1000.0 if key == keys.KID else 1.0


def cell(numbers: list[float], key: str, digits: int) -> str:
    """One table cell: the mean of `numbers` (+- its s.e. when there are several), KID x 1000."""
    scale = _display_scale(key)
    mean, error = _mean_se([n * scale for n in numbers])
    return value_cell(mean, error, digits)


def value_cell(value: float, error: float, digits: int) -> str:
    """`value +- error` to `digits` places; the value alone when the error is NaN."""
    return f"{value:.{digits}f}" + ("" if math.isnan(error) else f" +- {error:.{digits}f}")


def draws_cell(row: dict[str, Any], key: str, digits: int) -> str:
    """A row's value (KID x 1000) with its standard error over sample draws when it has one."""
    scale = _display_scale(key)
    error = row.get("standard_error", {}).get(key, math.nan)
    return value_cell(row["values"][key] * scale, error * scale, digits)


def markdown(results: dict[str, Any]) -> str:
    lines = []
    for data, models in results.items():
        lines += [f"**{data}** (training minutes on 2 CPU cores; mean +- s.e. over seeds)", "",
                  "| model | minutes | seeds | steps | "
                  + " | ".join(name for name, _, _ in COLUMNS) + " |",
                  "| --- " * (4 + len(COLUMNS)) + "|"]
        floor: dict[str, float] = {}
        for model, seeds in models.items():
            marks = sorted({row["minutes"] for rows in seeds.values() for row in rows})
            for mark in marks:
                rows = [row for rows in seeds.values() for row in rows if row["minutes"] == mark]
                floor = rows[0]["floor"]
                cells = [model, f"{mark:g}", str(len(rows)),
                         f"{statistics.mean(r['steps'] for r in rows):,.0f}"]
                cells += [cell([r["values"][key] for r in rows], key, digits)
                          for _, key, digits in COLUMNS]
                lines.append("| " + " | ".join(cells) + " |")
        lines.append("| real floor (held-out vs training images) | | | | " + " | ".join(
            cell([floor[key]], key, digits) for _, key, digits in COLUMNS) + " |")
        lines.append("")
    return "\n".join(lines)


FLOOR_LABEL = "real floor"


def fd_figure(results: dict[str, Any]) -> Figure:
    """FD against training minutes, one panel per data set and one curve per model, with the
    real floor as a dashed line and one legend for all panels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    figure, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results) + 1.5, 4),
                                squeeze=False, layout="constrained")
    # One colour per model in every panel, the peers' first: a reader compares panels by colour.
    names = dict.fromkeys([*RECIPES, *(model for models in results.values() for model in models)])
    colours = {name: f"C{index}" for index, name in enumerate(names)}
    for axis, (data, models) in zip(axes[0], results.items(), strict=True):
        floor = None
        for model, seeds in models.items():
            marks = sorted({row["minutes"] for rows in seeds.values() for row in rows})
            means, errors = [], []
            for mark in marks:
                fds = [row["values"][keys.FRECHET_DISTANCE] for rows in seeds.values()
                       for row in rows if row["minutes"] == mark]
                mean, error = _mean_se(fds)
                means.append(mean)
                errors.append(0.0 if math.isnan(error) else error)
                floor = [row["floor"][keys.FRECHET_DISTANCE] for rows in seeds.values()
                         for row in rows][0]
            axis.errorbar(marks, means, yerr=errors, marker="o", capsize=3, label=model,
                          color=colours[model])
        if floor is not None:
            axis.axhline(floor, color="black", linestyle="--", label=FLOOR_LABEL)
        axis.set(xscale="log", yscale="log", xlabel="training minutes (2 CPU cores)",
                 ylabel="FD (ganforge classifier features)", title=data)
        shown = sorted({row["minutes"] for seeds in models.values() for rows in seeds.values()
                        for row in rows})
        axis.set_xticks(shown, [f"{mark:g}" for mark in shown])
        axis.xaxis.set_minor_formatter(NullFormatter())
    # One legend beside the panels, not inside them, where it hid the floor line and the curves.
    entries: dict[str, Any] = {}
    for axis in axes[0]:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    # The floor last, after the models: it is the bar every curve is read against.
    entries = dict(sorted(entries.items(), key=lambda entry: entry[0] == FLOOR_LABEL))
    figure.legend(entries.values(), entries.keys(), loc="outside right upper", fontsize=8)
    return figure


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib.pyplot as plt

    figure = fd_figure(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def outputs(name: str) -> tuple[Path, Path, str, str]:
    """Where a comparison called `name` keeps its raw results and its plot, and the markers of
    its block in BENCHMARKS.md: a comparison run on other cores keeps its own, because training
    minutes are only comparable within one machine."""
    marker = name.replace("_", "-")
    return (ROOT / "benchmarks" / "results" / f"{name}.json", ROOT / "docs" / f"{name}.png",
            f"<!-- {marker}:start -->", f"<!-- {marker}:end -->")


def write_benchmarks(text: str, name: str = NAME) -> None:
    _, _, start, end = outputs(name)
    heading = f"Sample quality: {name}"
    if name == NAME:
        heading = "Sample quality against the peers' recipes"
    replace_block(f"{start}\n{text}\n{end}", start, end, heading)


def train_missing(args: argparse.Namespace, results: dict[str, Any], results_path: Path) -> None:
    """Train and score each asked (data set, model, seed); with --reuse only those that `results`
    lacks a mark for (and all of them again with --redo). Each one's rows replace its own in
    `results`, and the json is saved after each."""
    marks = sorted(args.minutes)
    for data in args.data:
        dataset_28 = ganforge.build_dataset(DataConfig(name=data))
        for model in args.models or [*RECIPES, *PRESETS[data]]:
            for seed in args.seeds:
                done = results.get(data, {}).get(model, {}).get(str(seed)) \
                    if args.reuse and not args.redo else None
                if done and {row["minutes"] for row in done} >= set(marks):
                    continue
                print(f"{data}: {model}, seed {seed}", file=sys.stderr)
                if model in RECIPES:
                    rows = train_peer(model, data, seed, marks, dataset_28, args.draws)
                else:
                    run_dir = preset_run_dir(args.runs, data, model, seed)
                    if args.redo:
                        shutil.rmtree(run_dir, ignore_errors=True)
                    resume = continues(done or [], marks, run_dir)
                    if not resume and holds_a_run(run_dir):
                        # Training would refuse the used folder with advice for `ganforge
                        # train`; this script's own choices are these.
                        raise SystemExit(f"error: {run_dir} already holds a run that this call "
                                         "would not resume: pass --reuse --redo to train it "
                                         "again from scratch, or another --runs folder")
                    rows = train_preset(model, data, seed, marks, args.runs,
                                        done if resume else None, draws=args.draws)
                results.setdefault(data, {}).setdefault(model, {})[str(seed)] = rows
                save_results(results, results_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=["mnist"], choices=sorted(PRESETS))
    parser.add_argument("--minutes", nargs="+", type=float, default=[2, 5, 10, 30])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--models", nargs="*",
                        help="peer recipes and presets (default: both peers, the data's presets)")
    parser.add_argument("--runs", type=Path, default=ROOT / "runs" / "quality_vs_peer")
    parser.add_argument("--reuse", action="store_true",
                        help="skip a model and seed the json scores at every asked mark (a preset "
                             "resumes from its run folder); without it, each asked one trains")
    parser.add_argument("--redo", action="store_true",
                        help="with --reuse: train the models and seeds named again from scratch "
                             "(their run folders deleted), replacing their rows")
    parser.add_argument("--redraw", action="store_true",
                        help="train and score nothing: the table and plot (and with --write "
                             "BENCHMARKS.md) from the json alone, even where rows are missing")
    add_draws_option(parser, default=1)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--name", default=NAME,
                        help="a separate comparison: its own json, plot and BENCHMARKS.md block")
    args = parser.parse_args()
    results_path, plot_path, _, _ = outputs(args.name)
    # Always read: without --reuse the asked rows are trained again, and the others (hours of
    # training, other data sets) must survive the save.
    results = load_saved_results(results_path, "--redraw") if args.redraw \
        else load_results(results_path)
    # --redraw exists because --reuse alone trains every (model, seed) the json lacks a mark for.
    if not args.redraw:
        train_missing(args, results, results_path)
    text = markdown(results)
    print(text)
    plot(results, plot_path)
    if args.write:
        picture = f"![FD against training minutes]({plot_path.relative_to(ROOT)})"
        write_benchmarks(f"{text}\n{picture}\n", args.name)


if __name__ == "__main__":
    main()
