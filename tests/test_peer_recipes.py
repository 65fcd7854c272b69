"""The peers' recipes in benchmarks/peers.py against the sizes their published descriptions
imply (PyTorch-GAN's dcgan.py and gan.py, MNIST settings), counted by hand below."""

import torch
from benchmarks.peers import RECIPES, PeerLoop, PeerSampler


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_dcgan_recipe_parameter_counts():
    G, D = RECIPES["pytorch-gan-dcgan"].build(1, 32)
    g_expected = (100 * 8192 + 8192      # linear to 128 x 8 x 8
                  + 2 * 128              # BatchNorm(128)
                  + 128 * 128 * 9 + 128  # conv 128 -> 128
                  + 2 * 128              # BatchNorm(128, eps 0.8)
                  + 128 * 64 * 9 + 64    # conv 128 -> 64
                  + 2 * 64               # BatchNorm(64, eps 0.8)
                  + 64 * 1 * 9 + 1)      # conv 64 -> 1
    d_expected = (1 * 16 * 9 + 16
                  + 16 * 32 * 9 + 32 + 2 * 32
                  + 32 * 64 * 9 + 64 + 2 * 64
                  + 64 * 128 * 9 + 128 + 2 * 128
                  + 128 * 2 * 2 + 1)     # 32 / 2^4 = 2: linear from 128 x 2 x 2
    assert (_count(G), _count(D)) == (g_expected, d_expected) == (1_049_985, 98_113)


def test_mlp_recipe_parameter_counts():
    G, D = RECIPES["pytorch-gan-mlp"].build(1, 28)
    g_expected = (100 * 128 + 128
                  + 128 * 256 + 256 + 2 * 256
                  + 256 * 512 + 512 + 2 * 512
                  + 512 * 1024 + 1024 + 2 * 1024
                  + 1024 * 784 + 784)
    d_expected = 784 * 512 + 512 + 512 * 256 + 256 + 256 + 1
    assert (_count(G), _count(D)) == (g_expected, d_expected) == (1_510_032, 533_505)


def test_batchnorm_eps_and_dropout_follow_the_recipe():
    G, D = RECIPES["pytorch-gan-dcgan"].build(1, 32)
    g_eps = [m.eps for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    d_eps = [m.eps for m in D.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert g_eps == [1e-5, 0.8, 0.8] and d_eps == [0.8, 0.8, 0.8]
    assert [m.p for m in D.modules() if isinstance(m, torch.nn.Dropout2d)] == [0.25] * 4


def test_the_loop_trains_and_the_sampler_resizes_to_the_data_size():
    images = torch.randint(0, 256, (200, 1, 32, 32), dtype=torch.uint8)
    loop = PeerLoop(RECIPES["pytorch-gan-dcgan"], images, seed=0)
    before = [p.detach().clone() for p in loop.G.parameters()]
    d_loss, g_loss = loop.step()
    assert loop.steps == 1 and d_loss > 0 and g_loss > 0
    assert all(not torch.equal(a, b) for a, b in zip(before, loop.G.parameters(), strict=True))
    samples = PeerSampler(loop.G, 28).sample(5, seed=1)
    assert samples.shape == (5, 1, 28, 28) and 0 <= samples.min() and samples.max() <= 1
    assert torch.equal(samples * 255, (samples * 255).round())  # the 256 grey levels
    assert torch.equal(samples, PeerSampler(loop.G, 28).sample(5, seed=1))  # seeded
