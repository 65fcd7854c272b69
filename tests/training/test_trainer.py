import pytest
import torch

from ganforge import device as device_module
from ganforge.config import ModelConfig, TrainConfig
from ganforge.data.batches import InMemoryBatches
from ganforge.data.toy import gaussian_mixture_1d
from ganforge.errors import ConfigError, DivergedError
from ganforge.models import DCGANConfig, MLPConfig, build_discriminator, build_generator
from ganforge.models.priors import Prior
from ganforge.objectives import OBJECTIVES, build_objective
from ganforge.training.trainer import LOSS_KEYS, Trainer

TOY_MODEL = ModelConfig(noise_dim=1, g_output="linear", mlp=MLPConfig(
    g_hidden=(16,), g_init_range=None, d_hidden=(16,), d_activation="relu",
    d_dropout_input=0.0, d_dropout_hidden=0.0, d_init_range=None))


def _toy_trainer(train_config: TrainConfig, data: torch.Tensor | None = None,
                 objective: str = "minimax") -> Trainer:
    torch.manual_seed(0)
    if data is None:
        data = gaussian_mixture_1d((4.0,), (0.5,)).sample(4096, torch.Generator().manual_seed(0))
    G = build_generator(TOY_MODEL, (1,))
    D = build_discriminator(TOY_MODEL, (1,))
    batches = InMemoryBatches(data, train_config.batch_size, seed=0)
    return Trainer(train_config, G, D, Prior("uniform", 1), batches,
                   device=torch.device("cpu"), value_range=None, seed=0,
                   objective=build_objective(objective))


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


@pytest.mark.parametrize("k", [1, 2])
def test_late_batch_size_takes_over_from_its_step_for_real_and_fake_batches(k, monkeypatch):
    config = TrainConfig(optimizer="adam", g_lr=1e-3, d_lr=1e-3, lr_decay=1.0, steps=5,
                         d_steps_per_g_step=k, batch_size=8, late_batch_size=32,
                         late_batch_step=3, progress=False)
    trainer = _toy_trainer(config)
    real_sizes, fake_sizes = [], []
    take_real, generate = trainer.batches.next_labelled, trainer.G.forward

    def counted_real():
        batch = take_real()
        real_sizes.append(len(batch[0]))
        return batch

    def counted_fake(z):
        fake_sizes.append(len(z))
        return generate(z)

    monkeypatch.setattr(trainer.batches, "next_labelled", counted_real)
    monkeypatch.setattr(trainer.G, "forward", counted_fake)
    trainer.fit(5)
    # Steps 1-3 (step_count 0, 1, 2 before them) use 8; steps 4-5 use 32, k D updates each.
    assert real_sizes == [8] * (3 * k) + [32] * (2 * k)
    assert fake_sizes == real_sizes


def test_a_late_batch_larger_than_the_data_is_refused_before_training():
    config = TrainConfig(batch_size=8, late_batch_size=64, late_batch_step=3, progress=False)
    with pytest.raises(ConfigError, match="train.late_batch_size 64 x 1 process"):
        _toy_trainer(config, data=torch.randn(40, 1))


@pytest.mark.parametrize("reuse", [True, False])
def test_generator_step_leaves_the_frozen_discriminators_gradients_unchanged(reuse, monkeypatch):
    # Snapshot D's gradients right after the last D update; G's update must not touch them
    # (D is frozen: no gradient is computed, or all-reduced, for its weights).
    trainer = _toy_trainer(TrainConfig(batch_size=16, reuse_noise_for_g=reuse, progress=False))
    snapshots = []
    update = Trainer.discriminator_update

    def update_and_snapshot(self, keep_graph=False):
        result = update(self, keep_graph)
        snapshots.append([p.grad.clone() for p in self.D.parameters()])
        return result

    monkeypatch.setattr(Trainer, "discriminator_update", update_and_snapshot)
    g_before = [p.detach().clone() for p in trainer.G.parameters()]
    trainer.step()
    for grad, snapshot in zip((p.grad for p in trainer.D.parameters()), snapshots[-1],
                              strict=True):
        assert torch.equal(grad, snapshot)
    assert any(snapshot.abs().sum() > 0 for snapshot in snapshots[-1])
    assert any(not torch.equal(p, b) for p, b in zip(trainer.G.parameters(), g_before,
                                                     strict=True))  # G did move
    assert all(p.requires_grad for p in trainer.D.parameters())  # unfrozen afterwards


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_step_returns_the_losses_and_the_objectives_statistics(objective):
    trainer = _toy_trainer(TrainConfig(batch_size=16, progress=False), objective=objective)
    stats = trainer.step()
    keys = LOSS_KEYS + tuple(s.key for s in OBJECTIVES[objective].statistics)
    assert trainer.stat_keys == keys and stats.shape == (len(keys),)
    assert torch.isfinite(stats).all()


def test_logistic_statistics_are_v_and_the_mean_probabilities():
    trainer = _toy_trainer(TrainConfig(batch_size=16, progress=False))
    d_loss, _g_loss, value, d_real, d_fake = trainer.step().tolist()
    assert value == pytest.approx(-d_loss)
    assert 0 < d_real < 1 and 0 < d_fake < 1


def test_the_generator_moves_onto_the_data_on_a_1d_gaussian():
    config = TrainConfig(optimizer="adam", g_lr=2e-3, d_lr=2e-3, lr_decay=1.0, batch_size=64,
                         progress=False)
    trainer = _toy_trainer(config, objective="nonsaturating")
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
    torch.manual_seed(0)
    model = ModelConfig(arch="dcgan", g_output="tanh", dcgan=DCGANConfig(g_channels=4,
                                                                         d_channels=4))
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


def test_auto_autocast_resolves_once_and_runs_forward_passes_in_bf16(monkeypatch):
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: True)
    trainer = _toy_trainer(TrainConfig(batch_size=32, progress=False, autocast_bf16="auto"))
    assert trainer.autocast_bf16
    with trainer.autocast():
        assert trainer.G(torch.rand(4, 1)).dtype == torch.bfloat16
    trainer.fit(3)
    assert trainer.step_count == 3 and trainer.weights_are_finite()
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: False)
    assert not _toy_trainer(TrainConfig(batch_size=32, autocast_bf16="auto")).autocast_bf16


class _LinearD(torch.nn.Module):
    """logit = w . x + b: R1's penalty is then (gamma / 2) ||w||^2, known in closed form."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.linear(x).view(-1)


def test_r1_penalty_adds_gamma_times_w_to_ds_gradient():
    torch.manual_seed(0)
    data = torch.randn(64, 2)
    G = build_generator(ModelConfig(noise_dim=2, g_output="linear",
                                    mlp=MLPConfig(g_hidden=(4,), g_init_range=None)), (2,))
    D = _LinearD()
    w0 = D.linear.weight.detach().clone()
    gamma = 3.0
    config = TrainConfig(optimizer="sgd", d_lr=0.1, g_lr=0.1, lr_decay=1.0, momentum_start=0.0,
                         momentum_end=0.0, batch_size=64, progress=False)
    z = torch.randn(64, 2)
    objective = build_objective("minimax", r1_gamma=gamma)
    trainer = Trainer(config, G, D, Prior("gaussian", 2), InMemoryBatches(data, 64, seed=0),
                      device=torch.device("cpu"), value_range=None, seed=0,
                      objective=objective, noise_source=lambda: z)
    # The gradient of the plain loss, computed separately on the same batch.
    reference = _LinearD()
    reference.load_state_dict(D.state_dict())
    with torch.no_grad():
        fake = G(z)
    loss = objective.discriminator_loss(reference(data), reference(fake))
    (grad_w,) = torch.autograd.grad(loss, reference.linear.weight)
    trainer.discriminator_update()
    step = (w0 - D.linear.weight.detach()) / 0.1
    torch.testing.assert_close(step, grad_w + gamma * w0)


class _Recording(torch.nn.Module):
    """Wraps a conditional network and records the labels of every call."""

    def __init__(self, network: torch.nn.Module) -> None:
        super().__init__()
        self.network, self.calls = network, []

    def forward(self, inputs, labels):
        self.calls.append((len(inputs), labels.clone()))
        return self.network(inputs, labels)


def conditional_trainer(config: TrainConfig, **penalty: float
                        ) -> tuple[Trainer, _Recording, _Recording]:
    """A tiny class-conditional trainer on 30 labelled 2x2 images (3 classes), its G and D
    recording every call's batch size and labels."""
    torch.manual_seed(0)
    model = ModelConfig(noise_dim=4, g_output="tanh", conditional=True,
                        mlp=MLPConfig(g_hidden=(8,), d_hidden=(8,), d_pieces=2))
    shape = (1, 2, 2)
    G = _Recording(build_generator(model, shape, num_classes=3))
    D = _Recording(build_discriminator(model, shape, num_classes=3))
    images = torch.randint(0, 256, (30, *shape), dtype=torch.uint8)
    batches = InMemoryBatches(images, config.batch_size, seed=0, labels=torch.arange(30) % 3)
    trainer = Trainer(config, G, D, Prior("gaussian", 4), batches, device=torch.device("cpu"),
                      value_range=(-1.0, 1.0), seed=0,
                      objective=build_objective("nonsaturating", **penalty), conditional=True)
    return trainer, G, D


@pytest.mark.parametrize("penalty", [{}, {"r1_gamma": 1.0}, {"gp_weight": 1.0}])
def test_conditional_g_draws_for_the_real_labels_and_d_sees_them_tiled(penalty):
    trainer, G, D = conditional_trainer(TrainConfig(batch_size=6, optimizer="adam"), **penalty)
    trainer.step()
    real_labels = G.calls[0][1]  # what G drew for in the D update
    # D's update judges [real; fake] with the batch's labels twice; penalties get the batch's;
    # G's update judges the fake batch with the same labels G drew for.
    assert all(torch.equal(called, real_labels.repeat(n // 6)) for n, called in D.calls)
    assert D.calls[0][0] == 12 and D.calls[-1][0] == 6
    assert all(torch.equal(called, real_labels) for _, called in G.calls)
    projection = D.network.class_embedding.weight
    assert projection.abs().sum() > 0  # the class embedding left zero: it learns


def test_top_k_g_updates_learn_from_the_fakes_d_scores_highest_shrinking_per_epoch(monkeypatch):
    # 32 data points in batches of 16: a new epoch every 2 steps. Decay 0.5 per epoch, floor 0.25:
    # G's loss sees 16, 16, 8, 8, then 4 (the floor) of each 16 fakes.
    config = TrainConfig(batch_size=16, g_top_k_decay=0.5, g_top_k_min=0.25, progress=False)
    trainer = _toy_trainer(config, data=torch.randn(32, 1) + 4.0, objective="nonsaturating")
    scored, learned = [], []
    frozen, loss = trainer._d_frozen, trainer.objective.generator_loss

    def scoring(*args):
        logits = frozen(*args)
        scored.append(logits.detach().float().clone())
        return logits

    def learning(logits):
        learned.append(logits.detach().clone())
        return loss(logits)

    monkeypatch.setattr(trainer, "_d_frozen", scoring)
    monkeypatch.setattr(trainer.objective, "generator_loss", learning)
    for _ in range(8):
        trainer.step()
    assert [len(x) for x in learned] == [16, 16, 8, 8, 4, 4, 4, 4]
    for all_fakes, kept in zip(scored, learned, strict=True):
        best = all_fakes.sort(descending=True).values[:len(kept)]
        assert torch.equal(kept.sort(descending=True).values, best)


def test_top_k_off_leaves_every_fake_in_gs_loss():
    trainer = _toy_trainer(TrainConfig(batch_size=16, progress=False))
    logits = torch.randn(16)
    assert trainer.g_top_k_fraction() == 1.0 and trainer._top_k(logits) is logits


def test_every_image_d_judges_in_training_is_augmented_and_only_those():
    torch.manual_seed(0)
    model = ModelConfig(arch="dcgan", noise_dim=8, g_output="tanh",
                        dcgan=DCGANConfig(g_channels=4, d_channels=4, g_hidden=16, d_hidden=16))
    shape = (1, 28, 28)
    G, D = build_generator(model, shape), build_discriminator(model, shape)
    batches = InMemoryBatches(torch.randint(0, 256, (40, *shape), dtype=torch.uint8), 8, seed=0)
    config = TrainConfig(batch_size=8, optimizer="adam", augment=("translation", "cutout"))
    trainer = Trainer(config, G, D, Prior("gaussian", 8), batches, device=torch.device("cpu"),
                      value_range=(-1.0, 1.0), seed=0,
                      objective=build_objective("nonsaturating", r1_gamma=1.0))
    augmented, judged = [], []
    augment, forward = trainer.augment, D.forward

    def recording_augment(x):
        out = augment(x)
        augmented.append((x, out))
        return out

    def recording_forward(x, *rest):
        judged.append(x)
        return forward(x, *rest)

    trainer.augment = recording_augment
    D.forward = recording_forward
    trainer.step()
    # D's update judges [real; fake] (R1 differentiates through the same call), G's update the
    # fake batch: each is a batch the augmentation returned, and D is called on nothing else.
    assert [len(x) for x in judged] == [16, 8]
    assert len(augmented) == 2
    assert all(seen is out for seen, (_, out) in zip(judged, augmented, strict=True))
    # ... and the augmentation changed them: shifted and cut, not passed through.
    assert all(not torch.equal(x, out) for x, out in augmented)
