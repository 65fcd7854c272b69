"""Mode seeking (train.mode_seeking_weight): the term against a hand computation, its gradient's
direction, and the trainer drawing the pairs for the same conditions in G's one pass."""

import math

import pytest
import torch

from ganforge.config import TrainConfig
from ganforge.training.mode_seeking import (
    EPSILON,
    FakePair,
    mode_seeking_loss,
    paired_batch,
    split_pass,
)
from tests.training.test_trainer import conditional_trainer


def test_the_term_is_the_reciprocal_of_image_distance_over_noise_distance():
    images_a = torch.tensor([[0.0, 1.0], [0.5, -0.5]])
    images_b = torch.tensor([[0.5, 0.0], [0.5, 0.5]])  # |diffs| 0.5, 1, 0, 1: mean 0.625
    noise_a = torch.tensor([[1.0], [-1.0]])
    noise_b = torch.tensor([[3.0], [0.0]])  # |diffs| 2, 1: mean 1.5
    loss = mode_seeking_loss(FakePair(images_a, images_b, noise_a, noise_b))
    assert loss.item() == pytest.approx(1 / (0.625 / 1.5 + EPSILON))


def test_its_gradient_pushes_each_pairs_images_apart():
    images_a = torch.tensor([[0.2, -0.3, 0.9]], requires_grad=True)
    images_b = torch.tensor([[0.1, 0.4, 0.9]])
    noise = torch.randn(1, 4), torch.randn(1, 4)
    mode_seeking_loss(FakePair(images_a, images_b, *noise)).backward()
    # A descent step moves images_a away from images_b where they differ.
    away = torch.sign(images_a.detach() - images_b)
    assert torch.all(-images_a.grad[:, :2] * away[:, :2] > 0)


def test_equal_noise_gives_a_finite_term():
    same = torch.ones(2, 3)
    assert math.isfinite(mode_seeking_loss(FakePair(same, same + 1, same, same)).item())


def test_the_pairs_share_the_first_rows_conditions_and_split_back_in_order():
    noise, pair_noise = torch.randn(6, 2), torch.randn(3, 2)
    labels = torch.tensor([4, 1, 2, 0, 3, 1])
    both, both_labels = paired_batch(noise, labels, pair_noise)
    assert torch.equal(both, torch.cat([noise, pair_noise]))
    assert both_labels.tolist() == [4, 1, 2, 0, 3, 1, 4, 1, 2]
    assert paired_batch(noise, None, pair_noise)[1] is None
    images = torch.arange(9.0)[:, None]  # stands for G(both): row i from both[i]
    fake, pair = split_pass(images, noise, pair_noise)
    assert fake.flatten().tolist() == [0, 1, 2, 3, 4, 5]
    assert pair.images_a.flatten().tolist() == [0, 1, 2]
    assert pair.images_b.flatten().tolist() == [6, 7, 8]
    assert torch.equal(pair.noise_a, noise[:3]) and pair.noise_b is pair_noise


@pytest.mark.parametrize("reuse", [True, False])
def test_g_draws_the_pairs_for_the_first_halfs_labels_in_its_one_pass_and_learns_from_them(
        reuse, monkeypatch):
    config = TrainConfig(batch_size=6, optimizer="adam", mode_seeking_weight=2.0,
                         reuse_noise_for_g=reuse)
    trainer, G, _ = conditional_trainer(config)
    terms, parts = [], []
    adversarial = trainer.objective.generator_loss

    def recorded_term(pair):
        value = mode_seeking_loss(pair)
        terms.append(value.detach())
        return value

    def recorded_adversarial(logits):
        value = adversarial(logits)
        parts.append(value.detach())
        return value

    monkeypatch.setattr("ganforge.training.trainer.mode_seeking_loss", recorded_term)
    monkeypatch.setattr(trainer.objective, "generator_loss", recorded_adversarial)
    stats = trainer.step()
    # G's pass for its update has 6 + 3 rows; the pairs' labels repeat the first three.
    size, labels = G.calls[-1]
    assert size == 9 and torch.equal(labels[6:], labels[:3])
    if not reuse:
        assert G.calls[0][0] == 6  # D's update alone draws only the batch
    assert len(terms) == 1
    g_loss = stats[1].item()
    assert g_loss == pytest.approx(parts[0].item() + 2.0 * terms[0].item(), rel=1e-5)


def test_off_g_draws_only_the_batch():
    trainer, G, _ = conditional_trainer(TrainConfig(batch_size=6, optimizer="adam"))
    trainer.step()
    assert [size for size, _ in G.calls] == [6]
