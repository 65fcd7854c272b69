"""ganforge: Generative Adversarial Nets (Goodfellow et al. 2014), faithful, fast and measured.

    import ganforge
    result = ganforge.train(ganforge.load_config("mnist-fast"))
    images = ganforge.load_generator(result.run_dir).sample(16)   # [16, 1, 8, 8] in [0, 1]
    scores = ganforge.evaluate(result.run_dir)
    ganforge.write_report(result.run_dir)                         # RUN_DIR/report.html

The training, evaluation and data entry points load on first use, so that importing one part of
the package (say `ganforge.metrics`) does not import the others.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from ganforge.errors import CheckpointError, ConfigError, DataError, DivergedError, GanforgeError
from ganforge.version import __version__

if TYPE_CHECKING:
    from ganforge.analysis import NeighbourCheck, latent_walks, memorisation_check
    from ganforge.config import (
        DataConfig,
        LossConfig,
        ModelConfig,
        RunConfig,
        ToyConfig,
        TrainConfig,
        apply_overrides,
        load_config,
        validate,
    )
    from ganforge.data import Dataset, build_dataset
    from ganforge.evaluation import evaluate
    from ganforge.rejection import RejectionSampler, load_rejection_sampler
    from ganforge.report import write_report
    from ganforge.sampler import Sampler, load_generator
    from ganforge.temperature import TemperatureChoice, choose_temperature, tuned_temperature
    from ganforge.training.run import TrainResult, train

# Everything heavy (torch) loads on first use: `import ganforge` and `ganforge.errors` stay
# cheap, and the command can handle Ctrl-C while it imports.
_LAZY = {
    **{name: "ganforge.config" for name in (
        "DataConfig", "LossConfig", "ModelConfig", "RunConfig", "ToyConfig", "TrainConfig",
        "apply_overrides", "load_config", "validate")},
    "Dataset": "ganforge.data", "build_dataset": "ganforge.data",
    "evaluate": "ganforge.evaluation",
    **{name: "ganforge.analysis" for name in (
        "NeighbourCheck", "latent_walks", "memorisation_check")},
    "write_report": "ganforge.report",
    "Sampler": "ganforge.sampler", "load_generator": "ganforge.sampler",
    "RejectionSampler": "ganforge.rejection", "load_rejection_sampler": "ganforge.rejection",
    **{name: "ganforge.temperature" for name in (
        "TemperatureChoice", "choose_temperature", "tuned_temperature")},
    "TrainResult": "ganforge.training.run", "train": "ganforge.training.run",
}


def __getattr__(name: str) -> Any:
    if name == "Config":
        name = "RunConfig"
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "Generator":  # renamed: easy to confuse with torch.Generator
        warnings.warn("ganforge.Generator is now ganforge.Sampler; the old name will be removed "
                      "in the next release", DeprecationWarning, stacklevel=2)
        return importlib.import_module("ganforge.sampler").Sampler
    raise AttributeError(f"module 'ganforge' has no attribute {name!r}")


__all__ = [
    "CheckpointError", "Config", "ConfigError", "DataConfig", "DataError", "Dataset",
    "DivergedError", "GanforgeError", "LossConfig", "ModelConfig", "RunConfig", "Sampler",
    "ToyConfig", "TrainConfig", "TrainResult", "__version__", "apply_overrides", "build_dataset",
    "evaluate", "load_config", "load_generator", "train", "validate", "NeighbourCheck",
    "latent_walks", "memorisation_check", "write_report", "RejectionSampler",
    "load_rejection_sampler", "TemperatureChoice", "choose_temperature", "tuned_temperature",
]
