"""ganforge: Generative Adversarial Nets (Goodfellow et al. 2014), faithful, fast and measured.

    import ganforge
    result = ganforge.train(ganforge.load_config("configs/mnist-fast.toml"))
    images = ganforge.load_generator(result.run_dir).sample(16)   # [16, 1, 28, 28] in [0, 1]
"""

from ganforge.config import (
    DataConfig,
    ModelConfig,
    RunConfig,
    ToyConfig,
    TrainConfig,
    apply_overrides,
    load_config,
)
from ganforge.data import Dataset, build_dataset
from ganforge.errors import CheckpointError, ConfigError, DataError, DivergedError, GanforgeError
from ganforge.generator import Generator, load_generator
from ganforge.training.run import TrainResult, train
from ganforge.version import __version__

Config = RunConfig

__all__ = [
    "CheckpointError", "Config", "ConfigError", "DataConfig", "DataError", "Dataset",
    "DivergedError", "GanforgeError", "Generator", "ModelConfig", "RunConfig", "ToyConfig",
    "TrainConfig", "TrainResult", "__version__", "apply_overrides", "build_dataset",
    "load_config", "load_generator", "train",
]
