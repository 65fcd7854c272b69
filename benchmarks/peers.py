"""The recipes a GAN user would otherwise copy, re-implemented from their published descriptions
(PyTorch-GAN's `implementations/dcgan/dcgan.py` and `implementations/gan/gan.py`; the facts
carry over, the code is ganforge's), with their own training loop: G's step first, then D's on
the same generated batch, BCE on sigmoid outputs, D judging real and fake batches in separate
passes (its BatchNorm sees one kind at a time), Adam 2e-4 with betas (0.5, 0.999), batch 64,
images scaled to [-1, 1].

Used by `quality_vs_peer.py`; `tests/test_peer_recipes.py` checks the networks' parameter counts
against the ones their descriptions imply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

LATENT_DIM = 100
BATCH_SIZE = 64
LEARNING_RATE = 2e-4
BETAS = (0.5, 0.999)


class PeerDCGANGenerator(nn.Module):
    """dcgan.py's G for 32x32: linear to 128 x 8 x 8, BatchNorm, then two (2x upsample, conv 3x3,
    BatchNorm eps 0.8, LeakyReLU 0.2) blocks of 128 and 64 filters, a conv to the image, tanh."""

    def __init__(self, channels: int = 1, image_size: int = 32) -> None:
        super().__init__()
        self.base = image_size // 4
        self.project = nn.Linear(LATENT_DIM, 128 * self.base**2)
        self.body = nn.Sequential(
            nn.BatchNorm2d(128),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 128, 3, padding=1), nn.BatchNorm2d(128, eps=0.8), nn.LeakyReLU(0.2),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 64, 3, padding=1), nn.BatchNorm2d(64, eps=0.8), nn.LeakyReLU(0.2),
            nn.Conv2d(64, channels, 3, padding=1), nn.Tanh(),
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.body(self.project(z).view(-1, 128, self.base, self.base))


class PeerDCGANDiscriminator(nn.Module):
    """dcgan.py's D: four (conv 3x3 stride 2, LeakyReLU 0.2, Dropout2d 0.25) blocks of 16, 32, 64
    and 128 filters, BatchNorm (eps 0.8) after the last three, a linear layer and a sigmoid."""

    def __init__(self, channels: int = 1, image_size: int = 32) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = channels
        for index, filters in enumerate((16, 32, 64, 128)):
            layers += [nn.Conv2d(width, filters, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout2d(0.25)]
            if index > 0:
                layers.append(nn.BatchNorm2d(filters, eps=0.8))
            width = filters
        self.body = nn.Sequential(*layers, nn.Flatten())
        self.head = nn.Sequential(nn.Linear(128 * (image_size // 16) ** 2, 1), nn.Sigmoid())

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


def _normal_init(module: nn.Module) -> None:
    """dcgan.py's initialisation: conv weights N(0, 0.02); BatchNorm scale N(1, 0.02), shift 0."""
    if isinstance(module, nn.Conv2d):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class PeerMLPGenerator(nn.Module):
    """gan.py's G: 100 -> 128 -> 256 -> 512 -> 1024 (LeakyReLU 0.2, BatchNorm eps 0.8 on all but
    the first) -> 784 tanh."""

    def __init__(self, shape: tuple[int, int, int] = (1, 28, 28)) -> None:
        super().__init__()
        self.shape = shape
        layers: list[nn.Module] = []
        width = LATENT_DIM
        for index, size in enumerate((128, 256, 512, 1024)):
            layers.append(nn.Linear(width, size))
            if index > 0:
                layers.append(nn.BatchNorm1d(size, eps=0.8))
            layers.append(nn.LeakyReLU(0.2))
            width = size
        pixels = shape[0] * shape[1] * shape[2]
        self.body = nn.Sequential(*layers, nn.Linear(width, pixels), nn.Tanh())

    def forward(self, z: Tensor) -> Tensor:
        return self.body(z).view(-1, *self.shape)


class PeerMLPDiscriminator(nn.Module):
    """gan.py's D: 784 -> 512 -> 256 (LeakyReLU 0.2) -> 1 sigmoid."""

    def __init__(self, shape: tuple[int, int, int] = (1, 28, 28)) -> None:
        super().__init__()
        pixels = shape[0] * shape[1] * shape[2]
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 512), nn.LeakyReLU(0.2),
                                  nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1),
                                  nn.Sigmoid())

    def forward(self, x: Tensor) -> Tensor:
        return self.body(x)


@dataclass(frozen=True)
class Recipe:
    """A peer recipe: its networks and the image size it trains at."""

    name: str
    image_size: int
    build: Callable[[int, int], tuple[nn.Module, nn.Module]]
    """(channels, image size) -> (G, D)."""


def _dcgan(channels: int, size: int) -> tuple[nn.Module, nn.Module]:
    G, D = PeerDCGANGenerator(channels, size), PeerDCGANDiscriminator(channels, size)
    G.apply(_normal_init)
    D.apply(_normal_init)
    return G, D


def _mlp(channels: int, size: int) -> tuple[nn.Module, nn.Module]:
    return PeerMLPGenerator((channels, size, size)), PeerMLPDiscriminator((channels, size, size))


RECIPES = {
    "pytorch-gan-dcgan": Recipe("pytorch-gan-dcgan", 32, _dcgan),
    "pytorch-gan-mlp": Recipe("pytorch-gan-mlp", 28, _mlp),
}


class PeerLoop:
    """The peers' training loop. `images` are uint8 [N, C, S, S] at the recipe's size."""

    def __init__(self, recipe: Recipe, images: Tensor, *, seed: int) -> None:
        torch.manual_seed(seed)
        self.G, self.D = recipe.build(images.shape[1], images.shape[-1])
        self.images = images
        self.generator = torch.Generator().manual_seed(seed)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=LEARNING_RATE, betas=BETAS)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=LEARNING_RATE, betas=BETAS)
        self.batches = self._batches()
        self.steps = 0

    def _batches(self) -> Iterator[Tensor]:
        while True:  # shuffled epochs; the last partial batch is kept, as a DataLoader does
            for index in torch.randperm(len(self.images), generator=self.generator).split(
                    BATCH_SIZE):
                yield self.images[index].float() / 127.5 - 1

    def step(self) -> tuple[float, float]:
        real = next(self.batches)
        valid, fake = torch.ones(len(real), 1), torch.zeros(len(real), 1)
        self.G.train()
        self.D.train()
        self.opt_g.zero_grad()
        generated = self.G(torch.randn(len(real), LATENT_DIM))
        g_loss = F.binary_cross_entropy(self.D(generated), valid)
        g_loss.backward()
        self.opt_g.step()
        self.opt_d.zero_grad()
        d_loss = (F.binary_cross_entropy(self.D(real), valid)
                  + F.binary_cross_entropy(self.D(generated.detach()), fake)) / 2
        d_loss.backward()
        self.opt_d.step()
        self.steps += 1
        return float(d_loss.detach()), float(g_loss.detach())


class PeerSampler:
    """A trained peer G as ganforge's metrics see a generator: images in [0, 1] at the data
    set's size, resized with the data loader's antialiased bilinear resize and rounded to the
    256 grey levels real images have."""

    def __init__(self, G: nn.Module, image_size: int) -> None:
        self.G, self.image_size = G.eval(), image_size

    @torch.no_grad()
    def sample(self, n: int, *, seed: int | None = None) -> Tensor:
        generator = torch.Generator().manual_seed(0 if seed is None else seed)
        batches = []
        for start in range(0, n, 1000):
            z = torch.randn(min(1000, n - start), LATENT_DIM, generator=generator)
            images = (self.G(z) + 1) * 127.5
            if images.shape[-1] != self.image_size:
                images = F.interpolate(images, size=(self.image_size, self.image_size),
                                       mode="bilinear", antialias=True, align_corners=False)
            batches.append(images.round().clamp(0, 255) / 255)
        return torch.cat(batches)

    def check_labels(self, labels: object, n: int) -> None:
        return None
