"""A textbook GAN step, written the plain way, as the reference that the trainer's fast step must
match: separate D passes over real and fake, sigmoid + binary cross-entropy on probabilities,
a fresh G pass for G's phase, and PyTorch's default (unfused) optimizers."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class ReferenceStep:
    d_loss: Tensor
    g_loss: Tensor
    d_grads: list[Tensor]
    g_grads: list[Tensor]


def reference_step(G: nn.Module, D: nn.Module, real: Tensor, z: Tensor,
                   opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer) -> ReferenceStep:
    """One D update, then one non-saturating G update, on the given real batch and noise."""
    ones, zeros = torch.ones(len(real)), torch.zeros(len(real))
    opt_d.zero_grad()
    with torch.no_grad():
        fake = G(z)
    d_loss = F.binary_cross_entropy(torch.sigmoid(D(real)), ones) + \
        F.binary_cross_entropy(torch.sigmoid(D(fake)), zeros)
    d_loss.backward()
    d_grads = [p.grad.detach().clone() for p in D.parameters()]
    opt_d.step()

    opt_g.zero_grad()
    g_loss = F.binary_cross_entropy(torch.sigmoid(D(G(z))), ones)
    g_loss.backward()
    g_grads = [p.grad.detach().clone() for p in G.parameters()]
    opt_g.step()
    return ReferenceStep(d_loss.detach(), g_loss.detach(), d_grads, g_grads)
