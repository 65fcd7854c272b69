"""One short training run shared by the report tests (trained once per module)."""

from pathlib import Path

import pytest

import ganforge
from ganforge.config import RunConfig, apply_overrides
from tests.conftest import TINY_OVERRIDES


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("report") / "run"
    config = apply_overrides(RunConfig(), {**TINY_OVERRIDES, "train.steps": "40",
                                           "train.report": "true", "train.tensorboard": "true"})
    ganforge.train(config, run_dir)
    return run_dir
