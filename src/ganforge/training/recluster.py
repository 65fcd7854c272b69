"""Self-conditioning on what D has learned: every `model.recluster_every_steps` steps the
training images are clustered again, on D's features phi(x) instead of their pixels (Liu et al.
2020, "Diverse Image Generation via Self-Conditioned GANs"). Pixel k-means groups images that
overlap on the canvas; D's features group what D tells apart, which is what G has to get right.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from torch import Tensor

from ganforge.data.clusters import recluster_labels
from ganforge.data.transforms import ValueRange, to_model_range
from ganforge.errors import ConfigError
from ganforge.models.contract import DiscriminatorNetwork
from ganforge.training import distributed
from ganforge.training.run_log import truncate_log
from ganforge.training.trainer import StepRecord, Trainer

CLUSTERS_LOG_NAME = "clusters.jsonl"


def discriminator_features(trainer: Trainer, value_range: ValueRange | None, *,
                           batch_size: int = 1_000) -> Tensor:
    """phi(x) of every training sample under D as it is now: float32 [N, feature_dim] on the
    CPU, in D's eval mode (no dropout) and the run's precision, without augmentation."""
    base = getattr(trainer.D, "base", None)
    if not isinstance(base, DiscriminatorNetwork) or base.pack != 1:
        raise ConfigError("re-clustering needs a projection-conditioned D without packing "
                          "(--model.conditioning projection --model.pack 1)")
    was_training = trainer.D.training
    trainer.D.eval()
    data = trainer.batches.data
    parts = []
    with torch.no_grad(), trainer.autocast():
        for start in range(0, len(data), batch_size):
            batch = to_model_range(data[start:start + batch_size], value_range)
            parts.append(base.embed(batch).float().cpu())
    trainer.D.train(was_training)
    return torch.cat(parts)


class Reclusterer:
    """A training callback that re-clusters at every multiple of `every` steps, which the config
    makes a multiple of train.log_every_steps, so that each one is a step the callbacks see.

    Put it before the checkpointer: a checkpoint then holds the clusters its step trains on,
    and a resumed run re-clusters at exactly the steps an unbroken one does. Rank 0 computes the
    clusters and every rank takes them. `publish` receives each new set of labels (the run
    keeps them for its checkpoints and for sampling's cluster shares).
    """

    def __init__(self, *, every: int, clusters: int, value_range: ValueRange | None,
                 start_step: int, dist_info: distributed.DistInfo,
                 publish: Callable[[Tensor], None], log_path: Path | None = None) -> None:
        self.every, self.clusters, self.value_range = every, clusters, value_range
        self.dist, self.publish, self.log_path = dist_info, publish, log_path
        if log_path is not None:
            truncate_log(log_path, start_step)  # a resumed run logs its later rounds again

    def on_records(self, records: Sequence[StepRecord]) -> None:
        pass

    def on_step_end(self, trainer: Trainer, *, final: bool) -> None:
        if trainer.step_count % self.every:
            return
        started = time.monotonic()
        previous = trainer.batches.labels
        if previous is None:
            raise ConfigError("re-clustering needs a self-conditioned run (--model.clusters K)")
        labels, changed = None, 0.0
        if self.dist.is_main:
            features = discriminator_features(trainer, self.value_range)
            previous_cpu = previous.cpu()
            labels = recluster_labels(features, previous_cpu, self.clusters)
            changed = (labels != previous_cpu).double().mean().item()
        labels = distributed.broadcast_object(labels, self.dist)
        trainer.batches.labels = labels.to(previous.device)
        self.publish(labels)
        if self.log_path is not None:
            sizes = torch.bincount(labels, minlength=self.clusters)
            line = {"step": trainer.step_count, "changed": round(changed, 6),
                    "smallest": int(sizes.min()), "largest": int(sizes.max()),
                    "seconds": round(time.monotonic() - started, 3)}
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(line) + "\n")
