"""The baseline that `throughput.py` measures ganforge against: a GAN loop written the way most
tutorials write it, over the same architectures, batch sizes and step counts.

Deliberately plain: a shuffled DataLoader over a TensorDataset, sigmoid + BCELoss, a fresh G
forward pass for each phase, zero_grad() without set_to_none, and D left trainable during G's
step. It is also the reference for the test that checks ganforge does the same mathematics.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset


class TutorialMaxout(nn.Module):
    """Maxout as tutorials write it: units-major layout, `max` over the last axis."""

    def __init__(self, in_features: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(x).view(x.shape[0], self.units, self.pieces).max(dim=2)[0]


def paper_networks(dropout: bool = True) -> tuple[nn.Module, nn.Module]:
    """The paper's MNIST G and D, tutorial style."""
    G = nn.Sequential(nn.Linear(100, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(),
                      nn.Linear(1200, 784), nn.Sigmoid())
    p_in, p_hidden = (0.2, 0.5) if dropout else (0.0, 0.0)
    D = nn.Sequential(nn.Dropout(p_in), TutorialMaxout(784, 240, 5), nn.Dropout(p_hidden),
                      TutorialMaxout(240, 240, 5), nn.Dropout(p_hidden), nn.Linear(240, 1),
                      nn.Sigmoid())
    return G, D


def tutorial_networks() -> tuple[nn.Module, nn.Module]:
    """The classic tutorial MLP GAN: G 100-128-256-512-1024-784 with BatchNorm and LeakyReLU,
    D 784-512-256-1 with LeakyReLU."""
    layers: list[nn.Module] = []
    width = 100
    for size in (128, 256, 512, 1024):
        layers += [nn.Linear(width, size), nn.BatchNorm1d(size), nn.LeakyReLU(0.2)]
        width = size
    G = nn.Sequential(*layers, nn.Linear(width, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                      nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())
    return G, D


@dataclass
class StepResult:
    d_loss: Tensor
    g_loss: Tensor
    d_grads: list[Tensor]
    """D's gradients right after D's backward pass."""
    g_grads: list[Tensor]
    """G's gradients right after G's backward pass."""


class TutorialLoop:
    """One optimizer per network, BCELoss on sigmoid outputs, G's non-saturating loss."""

    def __init__(self, G: nn.Module, D: nn.Module, images: Tensor, batch_size: int,
                 optimizer: str, lr: float, momentum: float = 0.5,
                 device: torch.device | str = "cpu") -> None:
        self.device = torch.device(device)
        self.G, self.D = G.to(self.device), D.to(self.device)
        self.loader = DataLoader(TensorDataset(images), batch_size=batch_size, shuffle=True,
                                 drop_last=True)
        self._batches = self._endless()
        self.batch_size = batch_size
        self.criterion = nn.BCELoss()
        if optimizer == "adam":
            self.opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
            self.opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
        else:
            self.opt_g = torch.optim.SGD(G.parameters(), lr=lr, momentum=momentum)
            self.opt_d = torch.optim.SGD(D.parameters(), lr=lr, momentum=momentum)

    def _endless(self) -> Iterator[Tensor]:
        while True:
            for (batch,) in self.loader:
                yield batch

    def step(self, real: Tensor | None = None, z: Tensor | None = None,
             keep_grads: bool = False) -> StepResult:
        # As tutorials do: the DataLoader yields CPU batches, moved to the device each step.
        real = (next(self._batches) if real is None else real).to(self.device)
        z = torch.randn(real.shape[0], 100, device=self.device) if z is None else z
        ones = torch.ones(real.shape[0], 1, device=self.device)
        zeros = torch.zeros(real.shape[0], 1, device=self.device)

        # Train D: real -> 1, fake -> 0.
        self.opt_d.zero_grad(set_to_none=False)
        fake = self.G(z)
        d_loss = self.criterion(self.D(real), ones) + self.criterion(self.D(fake.detach()), zeros)
        d_loss.backward()
        d_grads = [p.grad.clone() for p in self.D.parameters()] if keep_grads else []
        self.opt_d.step()

        # Train G: a fresh forward pass, D still trainable.
        self.opt_g.zero_grad(set_to_none=False)
        fake = self.G(z)
        g_loss = self.criterion(self.D(fake), ones)
        g_loss.backward()
        g_grads = [p.grad.clone() for p in self.G.parameters()] if keep_grads else []
        self.opt_g.step()
        return StepResult(d_loss.detach(), g_loss.detach(), d_grads, g_grads)


def to_baseline_layout(D_src: nn.Module, D_dst: nn.Module, tensors: list[Tensor]
                       ) -> list[Tensor]:
    """Map tensors shaped like ganforge D's parameters (weights or gradients) to the baseline
    D's parameter layout: maxout rows reordered from piece-major to units-major."""
    maxouts = iter(m for m in D_dst.modules() if isinstance(m, TutorialMaxout))
    mapped = []
    layer: TutorialMaxout | None = None
    for (name, _), tensor, target in zip(D_src.named_parameters(), tensors,
                                         D_dst.parameters(), strict=True):
        if ".linear." in name:  # a maxout layer: its weight, then its bias
            layer = next(maxouts) if name.endswith("weight") else layer
            assert layer is not None
            # ganforge's row p * units + u is the baseline's row u * pieces + p.
            tensor = tensor.view(layer.pieces, layer.units, *tensor.shape[1:]).transpose(0, 1)
        mapped.append(tensor.reshape(target.shape))
    return mapped


def copy_weights_into_baseline(G_src: nn.Module, D_src: nn.Module, G_dst: nn.Module,
                               D_dst: nn.Module) -> None:
    """Give the baseline networks ganforge's weights (and G's BatchNorm statistics)."""
    with torch.no_grad():
        for source, target in zip(G_src.state_dict().values(), G_dst.state_dict().values(),
                                  strict=True):
            target.copy_(source.view_as(target))
        weights = [p.detach() for p in D_src.parameters()]
        for source, target in zip(to_baseline_layout(D_src, D_dst, weights), D_dst.parameters(),
                                  strict=True):
            target.copy_(source)
