"""Architectures by name. A new architecture is one module (its settings dataclass, G, D and two
builders) and one entry in `ARCHITECTURES`: its settings become the `[model.<name>]` section of
the config, and `--model.arch <name>` selects it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

from ganforge.models import conv, mlp, resnet
from ganforge.models.contract import NetworkSpec


@dataclass(frozen=True)
class Architecture:
    """An architecture's settings class and its G and D builders."""

    config: type
    """A frozen dataclass of the architecture's own settings, with defaults for every field."""
    build_generator: Callable[[Any, NetworkSpec], nn.Module]
    build_discriminator: Callable[[Any, NetworkSpec], nn.Module]


ARCHITECTURES: dict[str, Architecture] = {
    "mlp": Architecture(mlp.MLPConfig, mlp.build_generator, mlp.build_discriminator),
    "dcgan": Architecture(conv.DCGANConfig, conv.build_generator, conv.build_discriminator),
    "resnet": Architecture(resnet.ResNetConfig, resnet.build_generator,
                           resnet.build_discriminator),
}
