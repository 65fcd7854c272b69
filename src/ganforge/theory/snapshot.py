"""What a Figure-1 panel shows at one moment of training: the densities, D and D* on a grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Snapshot:
    """Everything a Figure-1 panel shows, at one moment of training."""

    label: str
    step: int
    x: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    p_g_method: str
    d: np.ndarray
    """D(x) = sigmoid(logit) on the grid."""
    d_star: np.ndarray
    z_points: np.ndarray
    """Evenly spaced z, for the lines z -> G(z)."""
    x_of_z: np.ndarray
