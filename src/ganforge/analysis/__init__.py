"""Looking inside a trained generator: latent walks and the memorisation check (nearest training
images in pixel and feature space). The report, `ganforge sample --interpolate/--nearest` and the
Python API all call these."""

from ganforge.analysis.neighbours import NeighbourCheck, memorisation_check
from ganforge.analysis.walks import interpolate, latent_walks

__all__ = ["NeighbourCheck", "interpolate", "latent_walks", "memorisation_check"]
