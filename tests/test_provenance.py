"""The provenance a run folder stores beside its settings: which entries, their values, and that
reading a config back leaves them out instead of refusing them as unknown settings."""

import dataclasses

import torch

import ganforge
from ganforge.config import RunConfig, config_from_dict, config_to_dict
from ganforge.provenance import PROVENANCE_KEYS, PROVENANCE_LABELS, provenance


def test_provenance_names_the_versions_and_the_arithmetic() -> None:
    bf16, fp32 = provenance(autocast_bf16=True), provenance(autocast_bf16=False)
    assert tuple(bf16) == tuple(fp32) == PROVENANCE_KEYS == tuple(PROVENANCE_LABELS)
    assert bf16["ganforge_version"] == ganforge.__version__
    assert bf16["torch_version"] == torch.__version__
    assert (bf16["precision"], fp32["precision"]) == ("bf16 autocast", "fp32")


def test_a_saved_config_with_provenance_reads_back_as_its_settings() -> None:
    config = dataclasses.replace(RunConfig(), train=dataclasses.replace(RunConfig().train,
                                                                         steps=37))
    saved = {**config_to_dict(config), **provenance(autocast_bf16=True)}
    assert config_from_dict(saved) == config
