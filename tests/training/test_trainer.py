import pytest
import torch

from ganforge.config import ModelConfig, TrainConfig
from ganforge.data.batches import InMemoryBatches
from ganforge.data.toy import gaussian_mixture_1d
from ganforge.errors import DivergedError
from ganforge.models import build_discriminator, build_generator
from ganforge.models.priors import Prior
from ganforge.training.trainer import STAT_KEYS, Trainer

TOY_MODEL = ModelConfig(noise_dim=1, g_hidden=(16,), g_output="linear", g_init_range=None,
                        d_hidden=(16,), d_activation="relu", d_dropout_input=0.0,
                        d_dropout_hidden=0.0, d_init_range=None)


def _toy_trainer(train_config: TrainConfig, data: torch.Tensor | None = None) -> Trainer:
    torch.manual_seed(0)
    if data is None:
        data = gaussian_mixture_1d((4.0,), (0.5,)).sample(4096, torch.Generator().manual_seed(0))
    G = build_generator(TOY_MODEL, (1,))
    D = build_discriminator(TOY_MODEL, (1,))
    batches = InMemoryBatches(data, train_config.batch_size, seed=0)
    return Trainer(train_config, G, D, Prior("uniform", 1), batches,
                   device=torch.device("cpu"), value_range=None, seed=0)


@pytest.mark.parametrize("k", [1, 3])
def test_each_step_is_k_discriminator_updates_then_one_generator_update(k):
    config = TrainConfig(optimizer="adam", g_lr=1e-3, d_lr=1e-3, lr_decay=1.0, steps=5,
                         d_steps_per_g_step=k, batch_size=32, progress=False)
    trainer = _toy_trainer(config)
    trainer.fit(5)
    # Adam counts its own updates per parameter: the optimizers prove k.
    d_counts = {int(s["step"]) for s in trainer.opt_d.state.values()}
    g_counts = {int(s["step"]) for s in trainer.opt_g.state.values()}
    assert d_counts == {5 * k} and g_counts == {5}
    assert trainer.d_updates == 5 * k and trainer.step_count == 5


def test_generator_step_leaves_the_frozen_discriminator_without_gradients():
    trainer = _toy_trainer(TrainConfig(batch_size=16, progress=False))
    trainer.step()
    assert all(p.grad is None or p.grad.abs().sum() > 0 for p in trainer.D.parameters())
    assert all(p.requires_grad for p in trainer.D.parameters())  # unfrozen afterwards


def test_step_returns_the_logged_statistics():
    trainer = _toy_trainer(TrainConfig(batch_size=16, progress=False))
    stats = trainer.step()
    assert stats.shape == (len(STAT_KEYS),)
    d_loss, _g_loss, value, d_real, d_fake = stats.tolist()
    assert value == pytest.approx(-d_loss)
    assert 0 < d_real < 1 and 0 < d_fake < 1


def test_the_generator_moves_onto_the_data_on_a_1d_gaussian():
    config = TrainConfig(optimizer="adam", g_lr=2e-3, d_lr=2e-3, lr_decay=1.0, batch_size=64,
                         g_objective="nonsaturating", progress=False)
    trainer = _toy_trainer(config)
    z = Prior("uniform", 1).sample(2000, generator=torch.Generator().manual_seed(1))
    before = trainer.G(z).mean().item()
    trainer.fit(1500)
    with torch.no_grad():
        samples = trainer.G(z)
    assert abs(before - 4.0) > 3.0
    assert abs(samples.mean().item() - 4.0) < 0.3
    assert abs(samples.std().item() - 0.5) < 0.25


def test_a_non_finite_loss_stops_training_naming_the_step():
    data = torch.randn(256, 1)
    data[40:] = float("nan")  # the second epoch's batches hold NaN
    config = TrainConfig(batch_size=32, log_every_steps=1, progress=False)
    trainer = _toy_trainer(config, data)
    with pytest.raises(DivergedError, match=r"diverged at step \d+: non-finite d_loss"):
        trainer.fit(50)


# torch.compile's tracer trips over its own non-leaf .grad warning under filterwarnings=error.
COMPILE = pytest.param({"compile": True}, id="compile", marks=pytest.mark.filterwarnings(
    "ignore:The .grad attribute of a Tensor that is not a leaf"))


@pytest.mark.parametrize("options", [pytest.param({"autocast_bf16": True}, id="bf16"),
                                     pytest.param({"channels_last": True}, id="channels_last"),
                                     COMPILE])
def test_gpu_path_options_train_on_the_cpu(options):
    # The options CUDA runs use are device-agnostic, so these CPU runs cover their code paths.
    from ganforge.config import ModelConfig

    torch.manual_seed(0)
    model = ModelConfig(arch="dcgan", g_output="tanh", g_channels=4, d_channels=4,
                        d_dropout_input=0.0)
    G, D = build_generator(model, (1, 8, 8)), build_discriminator(model, (1, 8, 8))
    if options.get("channels_last"):
        G = G.to(memory_format=torch.channels_last)
        D = D.to(memory_format=torch.channels_last)
    images = torch.randint(0, 256, (64, 1, 8, 8), dtype=torch.uint8)
    config = TrainConfig(optimizer="adam", g_lr=1e-3, d_lr=1e-3, batch_size=16, progress=False,
                         **options)
    trainer = Trainer(config, G, D, Prior("gaussian", 100), InMemoryBatches(images, 16, seed=0),
                      device=torch.device("cpu"), value_range=(-1.0, 1.0), seed=0)
    trainer.fit(3)
    assert trainer.step_count == 3 and trainer.weights_are_finite()


class _LinearD(torch.nn.Module):
    """logit = w . x + b: R1's penalty is then (gamma / 2) ||w||^2, known in closed form."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.linear(x).view(-1)


def test_r1_penalty_adds_gamma_times_w_to_ds_gradient():
    from ganforge.losses import discriminator_loss

    torch.manual_seed(0)
    data = torch.randn(64, 2)
    G = build_generator(ModelConfig(noise_dim=2, g_hidden=(4,), g_output="linear",
                                    g_init_range=None), (2,))
    D = _LinearD()
    w0 = D.linear.weight.detach().clone()
    gamma = 3.0
    config = TrainConfig(optimizer="sgd", d_lr=0.1, g_lr=0.1, lr_decay=1.0, momentum_start=0.0,
                         momentum_end=0.0, batch_size=64, r1_gamma=gamma, progress=False)
    trainer = Trainer(config, G, D, Prior("gaussian", 2), InMemoryBatches(data, 64, seed=0),
                      device=torch.device("cpu"), value_range=None, seed=0)
    z = torch.randn(64, 2)
    trainer._noise = lambda: z
    # The gradient of the plain loss, computed separately on the same batch.
    reference = _LinearD()
    reference.load_state_dict(D.state_dict())
    with torch.no_grad():
        fake = G(z)
    loss = discriminator_loss(reference(data), reference(fake))
    (grad_w,) = torch.autograd.grad(loss, reference.linear.weight)
    trainer.discriminator_update()
    step = (w0 - D.linear.weight.detach()) / 0.1
    torch.testing.assert_close(step, grad_w + gamma * w0)
