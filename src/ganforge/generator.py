"""Deprecated module name: the sampler lives in `ganforge.sampler`. `Generator` was renamed
`Sampler` (it was easy to confuse with `torch.Generator`); the old name warns and goes away in
the next release."""

from __future__ import annotations

import warnings
from typing import Any

from ganforge.sampler import Sampler, generator_from_payload, load_generator

__all__ = ["Sampler", "generator_from_payload", "load_generator"]


def __getattr__(name: str) -> Any:
    if name == "Generator":
        warnings.warn("ganforge.generator.Generator is now ganforge.Sampler; the old name will be "
                      "removed in the next release", DeprecationWarning, stacklevel=2)
        return Sampler
    raise AttributeError(f"module 'ganforge.generator' has no attribute {name!r}")
