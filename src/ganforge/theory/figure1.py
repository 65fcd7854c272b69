"""The paper's Figure 1 as an experiment: a 1-D GAN whose p_g, D and D* are known on a grid.

Stages, as in Figure 1: (a) the initial state; (b) D trained to optimality with G held fixed
(Algorithm 1's inner loop, run long); (c) after G has improved; (d) near convergence. Along the
way the experiment checks Proposition 1 (D -> D*), Theorem 1 (V(D*, G) = -log 4 + 2 JSD) and the
equilibrium (p_g = p_data, D = 1/2).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch
from scipy import integrate

from ganforge.config import DataConfig, ToyConfig, TrainConfig
from ganforge.data import InMemoryBatches, build_dataset
from ganforge.errors import ConfigError
from ganforge.models.priors import Prior
from ganforge.objectives import OBJECTIVES, build_objective
from ganforge.theory.networks import Z_HALF_WIDTH, ToyDiscriminator, ToyGenerator
from ganforge.theory.optimal import (
    GeneratorDensity,
    generator_density,
    jensen_shannon,
    mass_interval,
    optimal_discriminator,
    value_function,
)
from ganforge.theory.snapshot import Snapshot
from ganforge.training.trainer import Trainer

LOG4 = math.log(4.0)
# The targets for the numerical checks.
INNER_LOOP_TARGET = 0.03  # max |D - D*| over the 99% mass range
VALUE_TARGET = 0.01  # |V(D, G) - (-log 4 + 2 JSD)| at the trained D, nats
EQUILIBRIUM_D_TARGET = 0.05  # E_pdata |D(x) - 1/2|
EQUILIBRIUM_JSD_TARGET = 0.01  # JSD(p_data, p_g), nats
EQUILIBRIUM_V_TARGET = 0.02  # |V - (-log 4)|

# The checks are the paper's theorems about the logistic D: the objectives they hold for.
THEORY_OBJECTIVES = tuple(name for name, objective in OBJECTIVES.items()
                          if objective.measures_jensen_shannon)
if TYPE_CHECKING:
    TheoryLoss = str
else:
    TheoryLoss = Literal[THEORY_OBJECTIVES]


@dataclass(frozen=True)
class Figure1Config:
    """Settings of one 1-D run (defaults: p_data = N(4, 0.5), the paper's minimax loss, k = 1)."""

    means: tuple[float, ...] = (4.0,)
    """p_data's component means."""
    stds: tuple[float, ...] = (0.5,)
    """p_data's component standard deviations."""
    weights: tuple[float, ...] = ()
    """p_data's mixture weights (empty: equal)."""
    loss: TheoryLoss = "minimax"
    """The objective (its G loss); the checks hold for the logistic D these share."""
    k: int = 1
    """D updates per G update in Algorithm 1."""
    inner_steps: int = 3_000
    """D updates with G frozen, for stage (b)."""
    improve_steps: int | None = None
    """Algorithm 1 steps between stages (b) and (c) (default: a twentieth of `steps`)."""
    steps: int = 3_000
    """Algorithm 1 steps in all, stage (d) at the end."""
    batch_size: int = 1_024
    """Minibatch size m."""
    lr: float = 5e-4
    """Adam learning rate of G, and of D during Algorithm 1."""
    inner_lr: float = 3e-3
    """D's learning rate in the inner loop (lowered tenfold for its last third)."""
    g_init_shift: float = 2.5
    """Where G's initial p_g is centred."""
    g_init_scale: float = 0.35
    """The initial p_g's scale."""
    seed: int = 0
    """Seed for weights, data and noise."""
    frames: int = 48
    """GIF frames over the whole run (0: no frames)."""

    def __post_init__(self) -> None:
        try:
            ToyConfig(means=self.means, stds=self.stds, weights=self.weights)  # validates them
        except ConfigError as error:  # name the settings as this command calls them
            raise ConfigError(str(error).replace("data.toy.", "")) from None
        for name in ("k", "inner_steps", "steps", "batch_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1 (got {getattr(self, name)})")
        if not 0 <= self.improve_at <= self.steps:
            raise ConfigError(f"improve_steps must be in [0, steps] (got {self.improve_steps})")
        for name in ("lr", "inner_lr", "g_init_scale"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{name} must be a finite number > 0 (got {value})")

    @property
    def improve_at(self) -> int:
        """The step of stage (c): `improve_steps`, or a twentieth of `steps` when unset."""
        return self.improve_steps if self.improve_steps is not None else max(1, self.steps // 20)


@dataclass
class Figure1Result:
    config: Figure1Config
    panels: list[Snapshot]
    checks: dict[str, Any] = field(default_factory=dict)


class Figure1Experiment:
    """Builds the toy data, G, D and a ganforge Trainer; `run` goes through stages (a)-(d)."""

    def __init__(self, config: Figure1Config) -> None:
        self.config = config
        torch.manual_seed(config.seed)
        toy = ToyConfig(means=config.means, stds=config.stds, weights=config.weights)
        self.dataset = build_dataset(DataConfig(name="gaussian-1d", toy=toy))
        assert self.dataset.distribution is not None
        self.p_data_dist = self.dataset.distribution
        data = self.dataset.train
        self.G = ToyGenerator(config.g_init_shift, config.g_init_scale)
        self.D = ToyDiscriminator(float(data.mean()), float(data.std()) * 1.5 + 1.0)
        train = TrainConfig(optimizer="adam", g_lr=config.lr, d_lr=config.inner_lr,
                            lr_decay=1.0, batch_size=config.batch_size,
                            d_steps_per_g_step=config.k, progress=False)
        self.trainer = Trainer(train, self.G, self.D, Prior("uniform", 1),
                               InMemoryBatches(data, config.batch_size, seed=config.seed),
                               device=torch.device("cpu"), value_range=None, seed=config.seed,
                               objective=build_objective(config.loss))
        self.x = self._grid()
        self.p_data = self.p_data_dist.pdf(self.x)

    def _grid(self) -> np.ndarray:
        means = self.p_data_dist.means.numpy()[:, 0]
        stds = self.p_data_dist.stds.numpy()
        low = min(float((means - 6 * stds).min()), self.config.g_init_shift - 3.0)
        high = max(float((means + 6 * stds).max()), self.config.g_init_shift + 3.0)
        return np.linspace(low, high, 24_001)

    # --- Densities and discriminator on the grid ------------------------------------------

    @torch.no_grad()
    def _g_numpy(self, z: np.ndarray, G: torch.nn.Module | None = None) -> np.ndarray:
        G = G or self.G
        dtype = next(G.parameters()).dtype
        return G(torch.from_numpy(z).to(dtype)[:, None]).double().numpy()[:, 0]

    def generator_density(self) -> GeneratorDensity:
        # float64 copy: the change of variables differentiates G(z) numerically on a fine grid,
        # where float32 rounding would show up as jitter in p_g.
        G64 = copy.deepcopy(self.G).double()
        rng = np.random.default_rng(self.config.seed)
        return generator_density(lambda z: self._g_numpy(z, G64), -Z_HALF_WIDTH, Z_HALF_WIDTH,
                                 self.x, sample=lambda n: self._g_numpy(
                                     rng.uniform(-Z_HALF_WIDTH, Z_HALF_WIDTH, n), G64))

    @torch.no_grad()
    def discriminator_on_grid(self) -> np.ndarray:
        return self.D.probability(torch.from_numpy(self.x).float()[:, None]).double().numpy()

    def snapshot(self, label: str) -> Snapshot:
        p_g = self.generator_density()
        z_points = np.linspace(-0.97, 0.97, 21) * Z_HALF_WIDTH
        return Snapshot(label=label, step=self.trainer.step_count, x=self.x, p_data=self.p_data,
                        p_g=p_g.values, p_g_method=p_g.method, d=self.discriminator_on_grid(),
                        d_star=optimal_discriminator(self.p_data, p_g.values), z_points=z_points,
                        x_of_z=self._g_numpy(z_points))

    # --- The checks ------------------------------------------------------------------------

    def inner_loop_check(self, shot: Snapshot) -> dict[str, Any]:
        low, high = mass_interval(0.5 * (shot.p_data + shot.p_g), shot.x, 0.99)
        inside = (shot.x >= low) & (shot.x <= high)
        error = np.abs(shot.d - shot.d_star)[inside]
        worst = float(error.max())
        return {"max_abs_d_minus_d_star": worst, "target": INNER_LOOP_TARGET,
                "passed": worst <= INNER_LOOP_TARGET, "x_range_99pct": [low, high],
                "at_x": float(shot.x[inside][error.argmax()]), "p_g_method": shot.p_g_method}

    @staticmethod
    def value_check(shot: Snapshot) -> dict[str, Any]:
        value = value_function(shot.d, shot.p_data, shot.p_g, shot.x)
        jsd = jensen_shannon(shot.p_data, shot.p_g, shot.x)
        theory = -LOG4 + 2 * jsd
        return {"value": value, "minus_log4_plus_2jsd": theory, "jsd": jsd,
                "difference": value - theory, "target": VALUE_TARGET,
                "passed": abs(value - theory) <= VALUE_TARGET, "p_g_method": shot.p_g_method}

    @staticmethod
    def equilibrium_check(shot: Snapshot) -> dict[str, Any]:
        d_off_half = float(integrate.simpson(shot.p_data * np.abs(shot.d - 0.5), x=shot.x))
        jsd = jensen_shannon(shot.p_data, shot.p_g, shot.x)
        value = value_function(shot.d, shot.p_data, shot.p_g, shot.x)
        passed = {"d": d_off_half <= EQUILIBRIUM_D_TARGET, "jsd": jsd <= EQUILIBRIUM_JSD_TARGET,
                  "value": abs(value + LOG4) <= EQUILIBRIUM_V_TARGET}
        return {"mean_abs_d_minus_half": d_off_half, "jsd": jsd, "value_plus_log4": value + LOG4,
                "targets": {"d": EQUILIBRIUM_D_TARGET, "jsd": EQUILIBRIUM_JSD_TARGET,
                            "value": EQUILIBRIUM_V_TARGET},
                "passed": all(passed.values()), "passed_each": passed,
                "p_g_method": shot.p_g_method}

    # --- The run ---------------------------------------------------------------------------

    def run(self, on_frame: Callable[[Snapshot], None] | None = None,
            on_progress: Callable[[int], None] | None = None) -> Figure1Result:
        """Stages (a)-(d), with the checks. `on_frame` receives snapshots for an animation;
        `on_progress(n)` hears of every n updates done (for a progress bar)."""
        config = self.config
        frame_every = max(1, (config.inner_steps + config.steps) // config.frames) \
            if config.frames else 0
        counter = 0

        def maybe_frame(label: str) -> None:
            nonlocal counter
            counter += 1
            if on_progress is not None and counter % 100 == 0:
                on_progress(100)
            if on_frame is not None and frame_every and counter % frame_every == 0:
                on_frame(self.snapshot(label))

        panels = [self.snapshot("(a) initial state")]
        if on_frame is not None:
            on_frame(panels[0])
        # (b) the inner loop: D alone, with G frozen, towards D*.
        for update in range(config.inner_steps):
            if update == (2 * config.inner_steps) // 3:
                self.trainer.sched_d.set_base_lr(config.inner_lr / 10)  # settle at the optimum
            self.trainer.discriminator_update()
            maybe_frame("(b) inner loop: D -> D*")
        panels.append(self.snapshot("(b) D trained with G fixed"))
        checks: dict[str, Any] = {"inner_loop": self.inner_loop_check(panels[-1]),
                                  "value_at_optimum": self.value_check(panels[-1])}
        # (c) and (d): Algorithm 1.
        self.trainer.sched_d.set_base_lr(config.lr)
        for step in range(1, config.steps + 1):
            self.trainer.step()
            maybe_frame("Algorithm 1")
            if step == config.improve_at:
                panels.append(self.snapshot("(c) after G has improved"))
        panels.append(self.snapshot("(d) near convergence"))
        if on_frame is not None:
            on_frame(panels[-1])
        checks["equilibrium"] = self.equilibrium_check(panels[-1])
        checks["config"] = asdict(config)
        return Figure1Result(config, panels, checks)
