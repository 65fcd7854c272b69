"""Objectives by name. A new objective is one module with an `Objective` subclass and one entry
in `_REGISTERED`; the config's choices, the CLI's help and the theory lab's options follow."""

from __future__ import annotations

from ganforge.objectives.base import Objective
from ganforge.objectives.hinge import Hinge
from ganforge.objectives.least_squares import LeastSquares
from ganforge.objectives.logistic import Minimax, NonSaturating
from ganforge.objectives.penalties import GradientPenalty, Penalty, R1Penalty
from ganforge.objectives.wasserstein import WassersteinGP

_REGISTERED: tuple[type[Objective], ...] = (
    Minimax, NonSaturating, Hinge, WassersteinGP, LeastSquares,
)
OBJECTIVES: dict[str, type[Objective]] = {cls.name: cls for cls in _REGISTERED}


def build_objective(name: str, *, r1_gamma: float = 0.0, r1_every: int = 1,
                    gp_weight: float | None = None, gp_every: int = 1) -> Objective:
    """The objective `name` with its penalties (a None `gp_weight` takes the objective's own)."""
    if name not in OBJECTIVES:
        raise KeyError(f"unknown objective {name!r}; choose from {', '.join(OBJECTIVES)}")
    cls = OBJECTIVES[name]
    penalties: list[Penalty] = []
    if r1_gamma > 0:
        penalties.append(R1Penalty(r1_gamma, r1_every))
    weight = cls.default_gp_weight if gp_weight is None else gp_weight
    if weight > 0:
        penalties.append(GradientPenalty(weight, gp_every))
    return cls(penalties)
