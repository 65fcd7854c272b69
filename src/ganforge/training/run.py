"""`train(config)`: build data, models and trainer from a config, run Algorithm 1, and write the
run folder (config.json, train.jsonl, checkpoints/, samples/)."""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import torch
from torch import Tensor

from ganforge.checkpoint import checkpoint_path, describe_state_mismatch, load_checkpoint
from ganforge.config import RunConfig, config_to_dict, load_config, validate
from ganforge.data import Dataset, InMemoryBatches, build_dataset
from ganforge.data.clusters import cluster_shares, kmeans_labels
from ganforge.errors import CheckpointError, ConfigError, DivergedError
from ganforge.files import write_json
from ganforge.models import build_discriminator, build_generator, build_prior, output_range
from ganforge.objectives import build_objective
from ganforge.provenance import provenance
from ganforge.run_lock import is_lock_file, refuse_if_locked, run_dir_lock
from ganforge.sampler import Sampler, class_blocks
from ganforge.seeding import make_generator, seed_everything
from ganforge.training import distributed
from ganforge.training.callbacks import (
    Checkpointer,
    ReportRefresher,
    SampleSaver,
    sampling_network,
)
from ganforge.training.recluster import CLUSTERS_LOG_NAME, Reclusterer
from ganforge.training.run_log import RunLog
from ganforge.training.trainer import Callback, Trainer
from ganforge.version import __version__

CONFIG_NAME = "config.json"
TOY_PLOT_SAMPLES = 2_000


@dataclass(frozen=True)
class TrainResult:
    """What a finished (or stopped) run left behind."""

    run_dir: Path
    step: int
    stopped: str
    """Why training ended: "steps", "time_limit" or "interrupted"."""
    generator: Sampler
    discriminator: torch.nn.Module
    """D as trained (train mode; `D.probability(x)` is the paper's D(x))."""


def default_run_dir(config: RunConfig, name: str | None = None) -> Path:
    """runs/<name or data source>-<date>-<time>."""
    return Path("runs") / f"{name or config.data.name}-{time.strftime('%Y%m%d-%H%M%S')}"


def load_run_config(run_dir: str | Path) -> RunConfig:
    """The config a run folder was trained with."""
    path = Path(run_dir) / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{run_dir} is not a ganforge run folder ({path} not found)")
    return load_config(path)


@contextlib.contextmanager
def _stop_on_interrupt(trainer: Trainer) -> Iterator[None]:
    """First Ctrl-C: finish the step, checkpoint and stop. Second Ctrl-C: stop at once."""
    def request_stop(signum: int, frame: FrameType | None) -> None:
        if trainer.stop_requested:
            raise KeyboardInterrupt
        trainer.stop_requested = True

    try:
        previous = signal.signal(signal.SIGINT, request_stop)
    except ValueError:  # not the main thread: leave Ctrl-C alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def holds_a_run(run_dir: Path) -> bool:
    """Whether `run_dir` holds anything but lock files: a folder a fresh run refuses."""
    return run_dir.is_dir() and any(not is_lock_file(p) for p in run_dir.iterdir())


def _refuse_used_folder(run_dir: Path) -> None:
    if holds_a_run(run_dir):
        raise ConfigError(f"run folder {run_dir} already exists and is not empty; continue it "
                          "with --resume, or pick another --run-dir")


def prepare_data(config: RunConfig) -> Dataset:
    """What a run does first, and `--dry-run` does alone: seed, load the data, and check the
    config against it, so that a config that would fail at step 0 fails here, the same way.
    The model seed is shared by all ranks (DDP also broadcasts rank 0's weights)."""
    seed_everything(config.seed)
    dataset = build_dataset(config.data)
    validate(config, dataset.sample_shape, dataset.is_image, dataset.num_classes)
    return dataset


def train(config: RunConfig | None = None, run_dir: str | Path | None = None, *,
          resume: bool = False, progress: bool | None = None,
          callbacks: Sequence[Callback] = ()) -> TrainResult:
    """Train a GAN as `config` describes; with `resume`, continue the run in `run_dir`.

    `callbacks` are the caller's own hooks (see `ganforge.training.trainer.Callback`): every
    step's checked record, and a call with the trainer every `train.log_every_steps` steps and
    after the last. They run after the run's log, sample grids and checkpoints, on every
    process under torchrun.

    Under torchrun every process calls this; rank 0 alone writes files, and holds the run
    folder's lock for the whole run, so a second writer is refused.
    """
    if resume:
        if run_dir is None:
            raise ConfigError("resuming needs the run folder: --resume RUN_DIR")
        config = config or load_run_config(run_dir)
    config = config or RunConfig()
    dist_info, device = distributed.init_distributed(config.device)
    if run_dir is None:
        run_dir = distributed.broadcast_object(default_run_dir(config), dist_info)
    run_dir = Path(run_dir)
    payload: dict[str, Any] | None = None
    if resume:
        payload = load_checkpoint(checkpoint_path(run_dir))
        if config.train.steps <= int(payload["step"]):
            raise ConfigError(f"{run_dir} is already at step {payload['step']}; to train on, "
                              f"ask for more: --train.steps N with N > {payload['step']}")
    # Data first: a missing file or an impossible config fails before the run folder is touched.
    dataset = prepare_data(config)
    created = dist_info.is_main and not resume and not run_dir.exists()
    with contextlib.ExitStack() as held:
        if dist_info.is_main:
            if not resume:
                refuse_if_locked(run_dir)  # a folder being trained: say who trains it
                _refuse_used_folder(run_dir)
                run_dir.mkdir(parents=True, exist_ok=True)
            held.enter_context(run_dir_lock(run_dir))
            if not resume:
                _refuse_used_folder(run_dir)  # again: another run may have finished meanwhile
        distributed.barrier(dist_info)
        try:
            return _train_in(run_dir, config, dataset, payload, dist_info, device, progress,
                             callbacks)
        except BaseException:
            if created:
                _remove_if_unused(run_dir)  # a run that failed to start leaves no folder
            raise


def _remove_if_unused(run_dir: Path) -> None:
    entries = list(run_dir.iterdir())
    if all(is_lock_file(entry) for entry in entries):
        for entry in entries:
            entry.unlink()
        run_dir.rmdir()


def _conditions(config: RunConfig, dataset: Dataset, payload: dict[str, Any] | None,
                dist_info: distributed.DistInfo) -> tuple[Tensor | None, int | None]:
    """What a conditional run conditions each training sample on, and how many values that
    takes: its label, or with model.clusters its k-means cluster (from the checkpoint when
    resuming; rank 0's clustering on every rank). (None, None) for an unconditional run."""
    if not config.model.conditional:
        return None, None
    if not config.model.clusters:
        return dataset.train_labels, dataset.num_classes
    if payload is not None and payload.get("cluster_labels") is not None:
        labels = payload["cluster_labels"].long()
    else:
        labels = kmeans_labels(dataset.train, config.model.clusters, seed=config.seed) \
            if dist_info.is_main else None
        labels = distributed.broadcast_object(labels, dist_info)
    if len(labels) != len(dataset.train):
        raise CheckpointError(f"the checkpoint's clusters cover {len(labels):,} training samples, "
                              f"the data has {len(dataset.train):,}: resume on the same data")
    return labels, config.model.clusters


def _train_in(run_dir: Path, config: RunConfig, dataset: Dataset, payload: dict[str, Any] | None,
              dist_info: distributed.DistInfo, device: torch.device,
              progress: bool | None, extra_callbacks: Sequence[Callback]) -> TrainResult:
    """The run itself, in a prepared (and, on rank 0, locked) run folder. Dropout draws from a
    per-rank stream, seeded after the models are built."""
    value_range = output_range(config.model.g_output, dataset.is_image)
    pixel_mean = dataset.train.float().mean(0) / 255 if dataset.is_image else None
    conditional = config.model.conditional
    labels, num_classes = _conditions(config, dataset, payload, dist_info)
    G = build_generator(config.model, dataset.sample_shape, pixel_mean, num_classes).to(device)
    D = build_discriminator(config.model, dataset.sample_shape, num_classes).to(device)
    if config.train.channels_last and dataset.is_image:
        # Module.to accepts memory_format at run time; its type stubs do not say so.
        G = G.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        D = D.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    seed_everything(distributed.rank_seed(config.seed, dist_info.rank))
    batches = InMemoryBatches(dataset.train.to(device), config.train.batch_size, seed=config.seed,
                              rank=dist_info.rank, world_size=dist_info.world_size,
                              labels=labels)
    prior = build_prior(config.model)
    objective = build_objective(**dataclasses.asdict(config.loss))
    trainer = Trainer(config.train, G, D, prior, batches, device=device, value_range=value_range,
                      seed=config.seed, objective=objective, dist_info=dist_info,
                      conditional=conditional)
    if payload is not None:
        try:
            trainer.load_state_dict(payload)
        except (RuntimeError, KeyError, ValueError) as error:
            detail = describe_state_mismatch({"generator": G, "discriminator": D}, payload) or \
                str(error).splitlines()[0]
            raise CheckpointError(f"checkpoint in {run_dir} does not fit this config "
                                  f"({detail})") from None

    if dist_info.is_main:
        write_json({**config_to_dict(config), **provenance(autocast_bf16=trainer.autocast_bf16)},
                   run_dir / CONFIG_NAME)

    # A self-conditioned run keeps its clusters: a resumed run conditions on the same ones, and
    # sampling draws each cluster by its share of the training set.
    cluster_state: dict[str, Any] = {}

    def keep_clusters(cluster_labels: Tensor) -> None:
        cluster_state.update(cluster_labels=cluster_labels.to(torch.int32),
                             class_prior=cluster_shares(cluster_labels,
                                                        config.model.clusters).tolist())

    if config.model.clusters and labels is not None:
        keep_clusters(labels)

    def metadata() -> dict[str, Any]:
        return {"config": config_to_dict(config), "sample_shape": list(dataset.sample_shape),
                "is_image": dataset.is_image, "num_classes": num_classes,
                "ganforge_version": __version__, **cluster_state}

    fixed_noise = prior.sample(config.train.grid_samples if dataset.is_image else TOY_PLOT_SAMPLES,
                               device=device, generator=make_generator(config.seed, device))
    # Conditional grids: the classes in order, one block of rows each.
    fixed_labels = None if num_classes is None else \
        class_blocks(len(fixed_noise), num_classes).to(device)
    checkpointer = Checkpointer(run_dir, every=config.train.checkpoint_every_steps,
                                keep_every=config.train.keep_checkpoint_every_steps,
                                dist_info=dist_info, metadata=metadata)
    # Re-clustering comes before the checkpointer, so that a checkpoint holds its step's clusters.
    reclusterer: list[Any] = []
    if config.model.recluster_every_steps:
        reclusterer = [Reclusterer(
            every=config.model.recluster_every_steps, clusters=config.model.clusters,
            value_range=value_range, start_step=trainer.step_count,
            dist_info=dist_info, publish=keep_clusters,
            log_path=run_dir / CLUSTERS_LOG_NAME if dist_info.is_main else None)]
    callbacks: list[Any] = [*reclusterer, checkpointer]
    log: RunLog | None = None
    if dist_info.is_main:
        show_progress = config.train.progress if progress is None else progress
        log = RunLog(run_dir, total_steps=config.train.steps, start_step=trainer.step_count,
                     progress=show_progress, tensorboard=config.train.tensorboard,
                     time_limit_s=config.train.time_limit_s)
        samples = SampleSaver(run_dir / "samples", fixed_noise, fixed_labels=fixed_labels,
                              every=config.train.sample_every_steps, is_image=dataset.is_image,
                              value_range=value_range, distribution=dataset.distribution,
                              tensorboard=log.writer)
        callbacks = [log, samples, *reclusterer, checkpointer]
        if config.train.report:
            def current_sampler(trainer: Trainer) -> Sampler:
                return Sampler(sampling_network(trainer), prior, value_range=value_range,
                               config=config, sample_shape=dataset.sample_shape,
                               step=trainer.step_count, num_classes=num_classes,
                               class_prior=cluster_state.get("class_prior"))

            # After the checkpointer: the page describes a saved state.
            callbacks.append(ReportRefresher(run_dir, every=config.train.sample_every_steps,
                                             make_sampler=current_sampler, dataset=dataset))
    try:
        with _stop_on_interrupt(trainer):
            stopped = trainer.fit(config.train.steps, time_limit_s=config.train.time_limit_s,
                                  callbacks=[*callbacks, *extra_callbacks])
    except DivergedError as error:
        last = checkpointer.last_saved_step
        kept = (f"the last good checkpoint (step {last}) is kept at {checkpointer.path}"
                if last is not None else "no checkpoint had been written yet")
        raise DivergedError(error.step, f"{error}; {kept}; try a lower learning rate "
                                        "(--train.g-lr/--train.d-lr)") from None
    finally:
        if log is not None:
            log.close()
    generator = Sampler(sampling_network(trainer), prior, value_range=value_range,
                        config=config, sample_shape=dataset.sample_shape,
                        step=trainer.step_count, num_classes=num_classes,
                        class_prior=cluster_state.get("class_prior"))
    return TrainResult(run_dir=run_dir, step=trainer.step_count, stopped=stopped,
                       generator=generator, discriminator=D)
