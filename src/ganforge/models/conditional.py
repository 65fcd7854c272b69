"""Class-conditional G and D around any registered architecture (Mirza & Osindero 2014).

G(z, y) conditions in one of two ways:
  * input: the base generator, built for a wider input, reads z next to a learned embedding of y
    (the original conditional GAN).
  * batchnorm: every BatchNorm of the base generator takes a gain and a bias per class (de Vries
    et al. 2017; Miyato & Koyama 2018's G). z stays G's only input, so no layer can learn to read
    y and ignore z, which is how a fully connected first layer collapses each class to one image
    (BENCHMARKS.md, "Conditioning with the fully connected layers").
D(x, y) conditions in one of two ways:
  * projection (Miyato & Koyama 2018): logit(x) + <embed(y), phi(x)>, where phi is the base
    D's last hidden features. The class enters as an inner product: no extra input.
  * concat: y as one-hot planes stacked onto the image's channels (the base D is built for
    C + classes channels), the input-concatenation of the original conditional GAN.
Both wrap the base networks, so every architecture is conditional without code of its own; the
base D need only expose `embed(x)` (phi, [B, feature_dim]) and `logit`, as the contract says.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganforge.errors import ConfigError
from ganforge.models.contract import DiscriminatorNetwork

CONDITIONING = ("projection", "concat")


class ConditionalGenerator(nn.Module):
    """G(z, y) = base([z, embed(y)]); the base was built for noise_dim + embedding_dim inputs."""

    def __init__(self, base: nn.Module, num_classes: int, embedding_dim: int) -> None:
        super().__init__()
        self.base = base
        self.num_classes = num_classes
        self.class_embedding = nn.Embedding(num_classes, embedding_dim)

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        return self.base(torch.cat([z, self.class_embedding(labels).to(z.dtype)], dim=1))


class ClassBatchNorm(nn.Module):
    """A BatchNorm whose affine gain and bias are looked up per class: gamma[y] * xhat + beta[y].
    The labels are set by the ClassNormGenerator that owns it, just before each forward pass."""

    def __init__(self, norm: nn.modules.batchnorm._BatchNorm, num_classes: int) -> None:
        super().__init__()
        # The same statistics as the layer it replaces, with the affine part moved per class.
        self.norm = type(norm)(norm.num_features, eps=norm.eps, momentum=norm.momentum,
                               affine=False)
        self.gain = nn.Embedding(num_classes, norm.num_features)
        self.bias = nn.Embedding(num_classes, norm.num_features)
        # Start at the plain BatchNorm's identity affine, the same for every class.
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)
        self.labels: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        if self.labels is None:
            raise RuntimeError("ClassBatchNorm needs its labels: call it through "
                               "ClassNormGenerator")
        shape = (x.shape[0], x.shape[1], *([1] * (x.dim() - 2)))
        gain = self.gain(self.labels).to(x.dtype).view(shape)
        bias = self.bias(self.labels).to(x.dtype).view(shape)
        return self.norm(x) * gain + bias


class ClassNormGenerator(nn.Module):
    """G(z, y) = base(z) with each of the base's BatchNorms replaced by a ClassBatchNorm."""

    def __init__(self, base: nn.Module, num_classes: int, *, arch: str = "this") -> None:
        super().__init__()
        replaced = 0
        for parent in list(base.modules()):
            for name, child in list(parent.named_children()):
                if isinstance(child, nn.modules.batchnorm._BatchNorm):
                    setattr(parent, name, ClassBatchNorm(child, num_classes))
                    replaced += 1
        if not replaced:
            raise ConfigError(f"model.g_conditioning batchnorm needs BatchNorm layers in G, and "
                              f"the {arch} G has none: use --model.g-conditioning input (or, "
                              "for the MLP, --model.mlp.g-batchnorm true)")
        self.base, self.num_classes = base, num_classes
        self.norms = [module for module in base.modules() if isinstance(module, ClassBatchNorm)]

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        for norm in self.norms:
            norm.labels = labels
        try:
            return self.base(z)
        finally:
            for norm in self.norms:  # hold no batch's labels between calls
                norm.labels = None


class ProjectionDiscriminator(nn.Module):
    """D(x, y) = base.logit(phi(x)) + <embed(y), phi(x)>, logits [B // pack]; for a pack,
    embed(y) is the sum over its members."""

    def __init__(self, base: nn.Module, num_classes: int) -> None:
        super().__init__()
        if not isinstance(base, DiscriminatorNetwork):
            raise TypeError(f"{type(base).__name__} lacks embed/feature_dim/logit: projection "
                            "needs D's features (see models/contract.py)")
        self.base = base
        self.pack, self.num_classes = base.pack, num_classes
        self.class_embedding = nn.Embedding(num_classes, base.feature_dim)
        # Start at the unconditional D: the projection term grows from zero.
        nn.init.zeros_(self.class_embedding.weight)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        features = self.base.embed(x)  # [B // pack, feature_dim]
        # A pack (PacGAN) is judged against the sum of its members' class embeddings: the inner
        # product is linear, so this adds up each member's projection term onto the pack's phi.
        classes = self.class_embedding(labels).to(features.dtype)
        classes = classes.view(features.shape[0], self.pack, -1).sum(1)
        return self.base.logit(features).view(-1) + (classes * features).sum(1)

    def probability(self, x: Tensor, labels: Tensor) -> Tensor:
        return self.forward(x, labels).sigmoid()


class ConcatDiscriminator(nn.Module):
    """D(x, y) = base([x, one_hot(y) planes]); the base was built for C + classes channels, so
    a packed base stacks each member's planes with its image."""

    def __init__(self, base: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.base, self.pack, self.num_classes = base, base.pack, num_classes

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        planes = F.one_hot(labels, self.num_classes).to(x.dtype)
        planes = planes.view(*planes.shape, *([1] * (x.dim() - 2))).expand(
            -1, -1, *x.shape[2:])
        return self.base(torch.cat([x, planes], dim=1))

    def probability(self, x: Tensor, labels: Tensor) -> Tensor:
        return self.forward(x, labels).sigmoid()


def is_conditional(network: nn.Module) -> bool:
    """True for a network that takes class labels as its second input."""
    return isinstance(network, ConditionalGenerator | ClassNormGenerator |
                      ProjectionDiscriminator | ConcatDiscriminator)
