"""ganforge: Generative Adversarial Nets (Goodfellow et al. 2014), faithful, fast and measured.

    import ganforge
    result = ganforge.train(ganforge.load_config("configs/mnist-fast.toml"))
    images = ganforge.load_generator(result.run_dir).sample(16)   # [16, 1, 8, 8] in [0, 1]
    scores = ganforge.evaluate(result.run_dir)

The training, evaluation and data entry points load on first use, so that importing one part of
the package (say `ganforge.metrics`) does not import the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ganforge.config import (
    DataConfig,
    ModelConfig,
    RunConfig,
    ToyConfig,
    TrainConfig,
    apply_overrides,
    load_config,
)
from ganforge.errors import CheckpointError, ConfigError, DataError, DivergedError, GanforgeError
from ganforge.version import __version__

if TYPE_CHECKING:
    from ganforge.data import Dataset, build_dataset
    from ganforge.evaluation import evaluate
    from ganforge.generator import Generator, load_generator
    from ganforge.training.run import TrainResult, train

Config = RunConfig

_LAZY = {
    "Dataset": "ganforge.data", "build_dataset": "ganforge.data",
    "evaluate": "ganforge.evaluation",
    "Generator": "ganforge.generator", "load_generator": "ganforge.generator",
    "TrainResult": "ganforge.training.run", "train": "ganforge.training.run",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ganforge' has no attribute {name!r}")


__all__ = [
    "CheckpointError", "Config", "ConfigError", "DataConfig", "DataError", "Dataset",
    "DivergedError", "GanforgeError", "Generator", "ModelConfig", "RunConfig", "ToyConfig",
    "TrainConfig", "TrainResult", "__version__", "apply_overrides", "build_dataset", "evaluate",
    "load_config", "load_generator", "train",
]
