"""ganforge's fast step does the same mathematics as the tutorial loop that benchmarks/throughput.py
measures it against: the same weights, real batch and noise give the same losses, gradients and
updated weights."""

import pytest
import torch
from benchmarks.tutorial_baseline import (
    TutorialLoop,
    copy_weights_into_baseline,
    paper_networks,
    to_baseline_layout,
    tutorial_networks,
)

from ganforge.config import ModelConfig, TrainConfig
from ganforge.data.batches import InMemoryBatches
from ganforge.models import build_discriminator, build_generator
from ganforge.models.priors import Prior
from ganforge.training.trainer import Trainer

# Dropout off: the two loops would draw different masks. Everything else is the presets' own.
PAPER = (
    ModelConfig(prior="gaussian", d_dropout_input=0.0, d_dropout_hidden=0.0),
    TrainConfig(batch_size=100, g_objective="nonsaturating", optimizer="sgd", g_lr=0.1,
                d_lr=0.1, lr_decay=1.0, momentum_start=0.5, momentum_end=0.5, progress=False),
    lambda: paper_networks(dropout=False),
)
TUTORIAL = (
    ModelConfig(prior="gaussian", g_hidden=(128, 256, 512, 1024), g_activation="leaky_relu",
                g_batchnorm=True, g_output="tanh", g_init_range=None,
                g_output_bias_from_data=False, d_hidden=(512, 256), d_activation="leaky_relu",
                d_dropout_input=0.0, d_dropout_hidden=0.0, d_init_range=None),
    TrainConfig(batch_size=64, g_objective="nonsaturating", optimizer="adam", g_lr=2e-4,
                d_lr=2e-4, lr_decay=1.0, progress=False),
    tutorial_networks,
)
CLOSE = {"rtol": 1e-4, "atol": 1e-6}


@pytest.mark.parametrize("preset", [PAPER, TUTORIAL], ids=["paper", "tutorial"])
def test_losses_gradients_and_updates_agree_with_the_tutorial_loop(preset):
    model_config, train_config, baseline_networks = preset
    torch.manual_seed(0)
    m = train_config.batch_size
    G = build_generator(model_config, (1, 28, 28))
    D = build_discriminator(model_config, (1, 28, 28))
    G_base, D_base = baseline_networks()
    copy_weights_into_baseline(G, D, G_base, D_base)
    real = torch.rand(m, 1, 28, 28) * (2 if model_config.g_output == "tanh" else 1)
    real = real - (1 if model_config.g_output == "tanh" else 0)
    z = torch.randn(m, 100)

    trainer = Trainer(train_config, G, D, Prior("gaussian", 100),
                      InMemoryBatches(real, m, seed=0), device=torch.device("cpu"),
                      value_range=None, seed=0)
    trainer._noise = lambda: z  # both loops see the same noise
    d_loss, g_loss = trainer.step()[:2]
    baseline = TutorialLoop(G_base, D_base, real.view(m, -1), m, train_config.optimizer,
                            train_config.g_lr)
    result = baseline.step(real.view(m, -1), z, keep_grads=True)

    torch.testing.assert_close(d_loss, result.d_loss, **CLOSE)
    torch.testing.assert_close(g_loss, result.g_loss, **CLOSE)
    # G's update leaves D frozen, so D's gradients are still those of D's update.
    d_grads = to_baseline_layout(D, D_base, [p.grad for p in D.parameters()])
    for ours, theirs in zip(d_grads, result.d_grads, strict=True):
        torch.testing.assert_close(ours, theirs, **CLOSE)
    for ours, theirs in zip(G.parameters(), result.g_grads, strict=True):
        torch.testing.assert_close(ours.grad.view_as(theirs), theirs, **CLOSE)

    # The updated weights agree too. Adam's first step is lr * g / (|g| + eps), which turns
    # float noise in a near-zero gradient into up to ~lr * 1e-2, hence the looser bound.
    after = {"rtol": 1e-4, "atol": 1e-5}
    d_weights = to_baseline_layout(D, D_base, [p.detach() for p in D.parameters()])
    for ours, theirs in zip(d_weights, D_base.parameters(), strict=True):
        torch.testing.assert_close(ours, theirs.detach(), **after)
    for ours, theirs in zip(G.parameters(), G_base.parameters(), strict=True):
        torch.testing.assert_close(ours.detach().view_as(theirs), theirs.detach(), **after)
