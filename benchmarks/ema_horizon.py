"""Is FD held back by how G's weights are averaged? Continues a copy of a finished run that
keeps a moving average of G (train.ema_decay) for --steps more steps, keeping extra
exponential moving averages with longer horizons beside the run's own (each started from the
run's average at the copy's first step), then scores each of G's versions on several draws
of samples.

The versions scored:
- G's own weights, with no average;
- the run's average;
- each extra average;
- the run's average with its BatchNorm statistics recomputed for its own weights ("standing
  statistics", as BigGAN samples): the saved ones average the running statistics of the
  training G, whose activations are not the averaged G's.

The original run is left untouched. Raw rows go to benchmarks/results/ema_horizon.json.

    python benchmarks/ema_horizon.py RUN --steps 6000 --decays 0.9995 0.9998 0.9999 --work DIR
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import ganforge  # noqa: E402
from benchmarks.quality_vs_peer import add_draws_option, at_least_one, value_cell  # noqa: E402
from benchmarks.results_file import load_results, save_results  # noqa: E402
from ganforge.errors import GanforgeError  # noqa: E402
from ganforge.metrics import keys  # noqa: E402
from ganforge.run_lock import LOCK_NAME  # noqa: E402
from ganforge.sampler import Sampler  # noqa: E402
from ganforge.training.run import load_run_config  # noqa: E402
from ganforge.training.trainer import StepRecord, Trainer  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ema_horizon.json"
STANDING_BATCHES = ((200, 64), (50, 1_000))
"""(batches, batch size) for recomputed BatchNorm statistics: the training batch, and a large
one whose statistics are closer to the population's."""


class ExtraAverages:
    """A training callback (called after every step: the run logs every step) that keeps one
    exponential moving average of G per decay, started from the run's own average."""

    def __init__(self, decays: Sequence[float]) -> None:
        self.decays = list(decays)
        self.averages: dict[float, AveragedModel] = {}

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        if trainer.ema is None:
            raise GanforgeError("this run keeps no moving average of G (train.ema_decay 0)")
        if not self.averages:  # the first step: start from the run's average as it now is
            for decay in self.decays:
                average = copy.deepcopy(trainer.ema)
                average.multi_avg_fn = get_ema_multi_avg_fn(decay)
                self.averages[decay] = average
            return
        for average in self.averages.values():
            average.update_parameters(trainer.G)


def recompute_batchnorm(sampler: Sampler, batches: int, batch_size: int, seed: int = 0) -> None:
    """Replace the BatchNorm running statistics of the sampler's G with the plain mean over
    `batches` batches of G's own activations (momentum None: a cumulative average). A
    conditional G draws its classes as it samples (a self-conditioned one: clusters by their
    shares), since its statistics depend on the mix of classes it sees."""
    norms = [m for m in sampler.network.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        raise GanforgeError("G has no BatchNorm layers: nothing to recompute")
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None
    noise = torch.Generator(device=sampler.device).manual_seed(seed)
    sampler.network.train()
    with torch.no_grad():
        for batch in range(batches):
            z = sampler.prior.sample(batch_size, device=sampler.device, generator=noise)
            # decode calls G as sampling does (with its classes), here in training mode.
            sampler.decode(z, sampler.draw_labels(batch_size, seed=seed + batch))
    sampler.network.eval()


def fd_row(name: str, sampler: Sampler, dataset: Any, draws: int) -> dict[str, Any]:
    result = ganforge.evaluate(sampler, metrics=["fd"], dataset=dataset, draws=draws,
                               log=False, progress=False)["fd"]
    key = keys.FRECHET_DISTANCE
    row = {"weights": name, "steps": sampler.step, "fd": result.values[key],
           "fd_se": result.standard_error.get(key, float("nan")), "floor": result.floor[key]}
    print(f"  {name}: FD {row['fd']:.3f}", file=sys.stderr, flush=True)
    return row


def continue_with_averages(run: Path, work: Path, steps: int,
                           decays: Sequence[float]) -> ExtraAverages:
    """Copy `run` to `work` and train the copy `steps` more steps, keeping the extra averages."""
    shutil.copytree(run, work, ignore=shutil.ignore_patterns(LOCK_NAME))
    config = load_run_config(work)
    start = ganforge.load_generator(work, device="cpu").step
    config = dataclasses.replace(config, train=dataclasses.replace(
        config.train, steps=start + steps, log_every_steps=1, time_limit_s=None))
    extra = ExtraAverages(decays)
    ganforge.train(config, work, resume=True, callbacks=[extra])
    return extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, metavar="RUN_DIR")
    parser.add_argument("--steps", type=at_least_one, default=6_000,
                        help="steps to train the copy on (default: 6000)")
    parser.add_argument("--decays", type=float, nargs="+", default=[0.9995, 0.9998, 0.9999],
                        help="the extra averages' decays (default: 0.9995 0.9998 0.9999)")
    parser.add_argument("--work", type=Path, required=True,
                        help="a new folder for the copy (the run itself is not touched)")
    add_draws_option(parser, default=5)
    args = parser.parse_args()
    if args.work.exists():
        parser.error(f"--work {args.work} exists: name a new folder")
    if any(not 0 < decay < 1 for decay in args.decays):
        parser.error("--decays must each lie in (0, 1)")
    results = load_results(RESULTS)  # an unreadable file stops the run before it trains
    try:
        extra = continue_with_averages(args.run, args.work, args.steps, args.decays)
        own = ganforge.load_generator(args.work)
        dataset = ganforge.build_dataset(own.config.data)
        rows = [fd_row("G, no average", ganforge.load_generator(args.work, use_ema=False),
                       dataset, args.draws),
                fd_row(f"the run's average ({own.config.train.ema_decay})", own, dataset,
                       args.draws)]
        # Each variant is a copy of the run's average, loaded once above.
        for decay, average in extra.averages.items():
            sampler = copy.deepcopy(own)
            sampler.network.load_state_dict(average.module.state_dict())
            rows.append(fd_row(f"average {decay}", sampler, dataset, args.draws))
        for batches, batch_size in STANDING_BATCHES:
            sampler = copy.deepcopy(own)
            recompute_batchnorm(sampler, batches, batch_size)
            rows.append(fd_row(f"the run's average, BatchNorm statistics of {batches} x "
                               f"{batch_size} of its own samples", sampler, dataset, args.draws))
    except GanforgeError as error:
        sys.exit(f"error: {error}")
    results[f"{args.run}, +{args.steps} steps, {args.draws} draws"] = rows
    save_results(results, RESULTS)
    print(f"| G's weights, after {rows[0]['steps']:,} steps | FD |\n| --- | --- |")
    for row in rows:
        print(f"| {row['weights']} | {value_cell(row['fd'], row['fd_se'], 3)} |")
    print(f"| real floor | {rows[0]['floor']:.3f} |")


if __name__ == "__main__":
    main()
