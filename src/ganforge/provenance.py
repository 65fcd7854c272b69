"""What a run folder records about how it was made, beside its settings in config.json: the
versions that trained it and the arithmetic it ran in. These are not settings, so reading a
config back drops them, and the report shows them as facts about the run."""

import torch

from ganforge.version import __version__

# Each key config.json stores, with the label the report gives it, in the report's order.
PROVENANCE_LABELS = {"ganforge_version": "ganforge", "torch_version": "torch",
                     "precision": "precision"}
PROVENANCE_KEYS = tuple(PROVENANCE_LABELS)


def provenance(*, autocast_bf16: bool) -> dict[str, str]:
    """The provenance entries of a run that trains in bf16 autocast or in fp32."""
    return {"ganforge_version": __version__, "torch_version": torch.__version__,
            "precision": "bf16 autocast" if autocast_bf16 else "fp32"}
