"""benchmarks/batchnorm_stats.py: the studies measure on their own noise, so they reproduce."""

from pathlib import Path

import torch
from benchmarks.batchnorm_stats import STUDY_SEED, measure_for_study

import ganforge
from ganforge.batchnorm import batchnorm_layers, measure_batchnorm


def test_a_study_measures_as_the_library_does_on_the_study_seed(batchnorm_run: Path) -> None:
    study = ganforge.load_generator(batchnorm_run, device="cpu")
    moved = measure_for_study(study, 2).moved
    library = ganforge.load_generator(batchnorm_run, device="cpu")
    assert moved == measure_batchnorm(library, 2, seed=STUDY_SEED).moved
    for ours, theirs in zip(batchnorm_layers(study.network).values(),
                            batchnorm_layers(library.network).values(), strict=True):
        assert torch.equal(ours.running_var, theirs.running_var)
    assert study.batchnorm_measured is not None and study.batchnorm_measured.seed == STUDY_SEED == 0
