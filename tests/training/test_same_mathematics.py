"""ganforge's fast step (one D pass over [real; fake], D frozen in G's phase, fused optimizers,
G(z) reused, losses from the objective) does the same mathematics as the textbook step of
tests/training/reference_loop.py: the same weights, real batch and noise give the same losses,
gradients and updated weights."""

import copy

import pytest
import torch

from ganforge.config import ModelConfig, TrainConfig
from ganforge.data.batches import InMemoryBatches
from ganforge.models import MLPConfig, build_discriminator, build_generator
from ganforge.models.priors import Prior
from ganforge.objectives import build_objective
from ganforge.training.trainer import Trainer

from .reference_loop import reference_step

# Dropout off: the two loops would draw different masks. Everything else is the presets' own.
PAPER = (
    ModelConfig(prior="gaussian", mlp=MLPConfig(d_dropout_input=0.0, d_dropout_hidden=0.0)),
    TrainConfig(batch_size=100, optimizer="sgd", g_lr=0.1, d_lr=0.1, lr_decay=1.0,
                momentum_start=0.5, momentum_end=0.5, progress=False),
)
TUTORIAL = (
    ModelConfig(prior="gaussian", g_output="tanh", mlp=MLPConfig(
        g_hidden=(128, 256, 512, 1024), g_activation="leaky_relu", g_batchnorm=True,
        g_init_range=None, g_output_bias_from_data=False, d_hidden=(512, 256),
        d_activation="leaky_relu", d_dropout_input=0.0, d_dropout_hidden=0.0,
        d_init_range=None)),
    TrainConfig(batch_size=64, optimizer="adam", g_lr=2e-4, d_lr=2e-4, lr_decay=1.0,
                progress=False),
)
CLOSE = {"rtol": 1e-4, "atol": 1e-6}


def _reference_optimizer(module: torch.nn.Module, config: TrainConfig, lr: float):
    if config.optimizer == "adam":
        return torch.optim.Adam(module.parameters(), lr=lr,
                                betas=(config.adam_beta1, config.adam_beta2))
    return torch.optim.SGD(module.parameters(), lr=lr, momentum=config.momentum_start)


@pytest.mark.parametrize("preset", [PAPER, TUTORIAL], ids=["paper", "tutorial"])
def test_losses_gradients_and_updates_agree_with_the_textbook_step(preset):
    model_config, train_config = preset
    torch.manual_seed(0)
    m = train_config.batch_size
    G = build_generator(model_config, (1, 28, 28))
    D = build_discriminator(model_config, (1, 28, 28))
    G_ref, D_ref = copy.deepcopy(G), copy.deepcopy(D)
    real = torch.rand(m, 1, 28, 28) * (2 if model_config.g_output == "tanh" else 1)
    real = real - (1 if model_config.g_output == "tanh" else 0)
    z = torch.randn(m, 100)

    trainer = Trainer(train_config, G, D, Prior("gaussian", 100),
                      InMemoryBatches(real, m, seed=0), device=torch.device("cpu"),
                      value_range=None, seed=0, objective=build_objective("nonsaturating"),
                      noise_source=lambda: z)  # both loops see the same noise
    d_loss, g_loss = trainer.step()[:2]
    # The trainer's batch order is its own: give the reference the batch the trainer drew.
    batch = InMemoryBatches(real, m, seed=0).next()
    result = reference_step(G_ref, D_ref, batch, z,
                            _reference_optimizer(G_ref, train_config, train_config.g_lr),
                            _reference_optimizer(D_ref, train_config, train_config.d_lr))

    torch.testing.assert_close(d_loss, result.d_loss, **CLOSE)
    torch.testing.assert_close(g_loss, result.g_loss, **CLOSE)
    # G's update leaves D frozen, so D's gradients are still those of D's update.
    for ours, theirs in zip(D.parameters(), result.d_grads, strict=True):
        torch.testing.assert_close(ours.grad, theirs, **CLOSE)
    for ours, theirs in zip(G.parameters(), result.g_grads, strict=True):
        torch.testing.assert_close(ours.grad, theirs, **CLOSE)

    # The updated weights agree too. Adam's first step is lr * g / (|g| + eps), which turns
    # float noise in a near-zero gradient into up to ~lr * 1e-2, hence the looser bound.
    after = {"rtol": 1e-4, "atol": 1e-5}
    for ours, theirs in zip([*D.parameters(), *G.parameters()],
                            [*D_ref.parameters(), *G_ref.parameters()], strict=True):
        torch.testing.assert_close(ours.detach(), theirs.detach(), **after)
