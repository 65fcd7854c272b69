"""GAN objectives: each owns D's loss, G's loss, its penalties and the statistics it logs."""

from ganforge.objectives.base import DiscriminatorTerms, Objective, Statistic
from ganforge.objectives.penalties import GradientPenalty, Penalty, R1Penalty
from ganforge.objectives.registry import OBJECTIVES, build_objective

__all__ = ["OBJECTIVES", "DiscriminatorTerms", "GradientPenalty", "Objective", "Penalty",
           "R1Penalty", "Statistic", "build_objective"]
