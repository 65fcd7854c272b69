import contextlib
import json
from types import SimpleNamespace

import pytest
import torch
from torch import Tensor, nn

from ganforge import train
from ganforge.checkpoint import load_checkpoint
from ganforge.config import apply_overrides
from ganforge.data import InMemoryBatches
from ganforge.data.clusters import cluster_shares
from ganforge.models.conditional import ProjectionDiscriminator
from ganforge.training.distributed import DistInfo
from ganforge.training.recluster import CLUSTERS_LOG_NAME, Reclusterer, discriminator_features


class BrightnessD(nn.Module):
    """A D whose one feature is an image's mean brightness: what it tells apart is known."""

    pack, feature_dim = 1, 1

    def __init__(self) -> None:
        super().__init__()
        self.logit = nn.Linear(1, 1)

    def embed(self, x: Tensor) -> Tensor:
        return x.mean(dim=(1, 2, 3)).unsqueeze(1)

    def forward(self, x: Tensor) -> Tensor:
        return self.logit(self.embed(x)).view(-1)

    def probability(self, x: Tensor) -> Tensor:
        return self.forward(x).sigmoid()


def _dark_and_bright(tmp_path, every=4):
    torch.manual_seed(0)
    dark = torch.randint(0, 40, (12, 1, 4, 4), dtype=torch.uint8)
    bright = torch.randint(215, 256, (12, 1, 4, 4), dtype=torch.uint8)
    images = torch.cat([dark, bright])
    brightness = (torch.arange(24) >= 12).long()
    # Clusters that ignore brightness: every other image, as pixel k-means might not do.
    previous = torch.arange(24) % 2
    published = []
    trainer = SimpleNamespace(
        D=ProjectionDiscriminator(BrightnessD(), num_classes=2), autocast=contextlib.nullcontext,
        batches=InMemoryBatches(images, 4, seed=0, labels=previous), step_count=0)
    reclusterer = Reclusterer(every=every, clusters=2, value_range=(-1.0, 1.0),
                              start_step=0, dist_info=DistInfo(), publish=published.append,
                              log_path=tmp_path / CLUSTERS_LOG_NAME)
    return trainer, reclusterer, brightness, published


def test_discriminator_features_are_ds_features_of_every_training_image(tmp_path):
    trainer, _, brightness, _ = _dark_and_bright(tmp_path)
    features = discriminator_features(trainer, (-1.0, 1.0), batch_size=5)  # 5 batches, 1 short
    assert features.shape == (24, 1) and features.dtype == torch.float32
    expected = trainer.batches.data.float().mean(dim=(1, 2, 3)) / 255 * 2 - 1
    torch.testing.assert_close(features[:, 0], expected)
    assert trainer.D.training  # left in the mode it was found in


def test_reclusterer_regroups_the_images_by_ds_features_at_each_multiple_of_its_steps(
        tmp_path):
    trainer, reclusterer, brightness, published = _dark_and_bright(tmp_path, every=4)
    before = trainer.batches.labels.clone()
    for step in (3, 4, 6, 8):
        trainer.step_count = step
        reclusterer.on_step_end(trainer, final=step == 6)
        if step == 3:  # not due: nothing changes
            assert torch.equal(trainer.batches.labels, before) and not published
    assert len(published) == 2  # at steps 4 and 8; a final step off the schedule is not due
    labels = trainer.batches.labels
    assert torch.equal(labels, brightness) or torch.equal(labels, 1 - brightness)
    assert all(torch.equal(labels_then, labels) for labels_then in published)
    lines = [json.loads(line) for line in
             (tmp_path / CLUSTERS_LOG_NAME).read_text().splitlines()]
    assert [line["step"] for line in lines] == [4, 8]
    # Half the images changed cluster in the first round; the second found the same clusters.
    assert [line["changed"] for line in lines] == pytest.approx([0.5, 0.0])
    assert lines[0]["smallest"] == lines[0]["largest"] == 12


def _self_conditioned(tiny_config, steps):
    return apply_overrides(tiny_config, {
        "model.conditional": "true", "model.clusters": "4", "model.recluster_every_steps": "5",
        "train.optimizer": "adam", "train.ema_decay": "0.9", "train.steps": str(steps)})


def test_a_run_reclusters_on_schedule_and_keeps_the_clusters_it_trains_on(tmp_path,
                                                                         tiny_config):
    result = train(_self_conditioned(tiny_config, 11), tmp_path / "run")
    lines = [json.loads(line) for line in
             (tmp_path / "run" / CLUSTERS_LOG_NAME).read_text().splitlines()]
    # Every 5 steps (the tiny config's log_every_steps): at 5 and 10, not at the last step, 11.
    assert [line["step"] for line in lines] == [5, 10]
    payload = load_checkpoint(tmp_path / "run")
    labels = payload["cluster_labels"].long()
    assert labels.min() >= 0 and labels.max() < 4
    assert payload["class_prior"] == pytest.approx(cluster_shares(labels, 4).tolist())
    assert result.generator.class_prior is not None
    assert result.generator.class_prior.tolist() == pytest.approx(payload["class_prior"])


def test_a_run_resumed_from_a_reclustering_step_equals_an_unbroken_one(tmp_path, tiny_config):
    # The break falls on a round (step 10): its checkpoint must hold the new clusters, or the
    # resumed steps 11-14 would train on the old ones.
    train(_self_conditioned(tiny_config, 14), tmp_path / "whole")
    train(_self_conditioned(tiny_config, 10), tmp_path / "broken")
    train(_self_conditioned(tiny_config, 14), tmp_path / "broken", resume=True)
    whole, broken = (load_checkpoint(tmp_path / name) for name in ("whole", "broken"))
    assert torch.equal(whole["cluster_labels"], broken["cluster_labels"])
    for network in ("generator", "discriminator"):
        for key, value in whole[network].items():
            assert torch.equal(value, broken[network][key]), (network, key)
    logs = [[{key: value for key, value in json.loads(line).items() if key != "seconds"}
             for line in (tmp_path / name / CLUSTERS_LOG_NAME).read_text().splitlines()]
            for name in ("whole", "broken")]
    assert logs[0] == logs[1] and [line["step"] for line in logs[0]] == [5, 10]
