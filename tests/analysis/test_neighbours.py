import pytest
import torch

from ganforge.analysis import memorisation_check
from ganforge.data import Dataset
from ganforge.metrics.memorisation import k_nearest


def test_k_nearest_matches_brute_force():
    torch.manual_seed(0)
    queries, reference = torch.randn(30, 7), torch.randn(200, 7)
    distances, indices = k_nearest(queries, reference, 3, chunk_size=8)
    brute = torch.cdist(queries, reference)
    expected = brute.topk(3, dim=1, largest=False)
    torch.testing.assert_close(distances, expected.values, atol=1e-4, rtol=1e-4)
    assert torch.equal(indices, expected.indices)


class ArraySampler:
    """Draws from a fixed stack of images (in [0, 1]), the first n of them."""

    num_classes = None

    def __init__(self, images):
        self.images = images

    def sample(self, n, *, seed=None):
        return self.images[:n]


@pytest.fixture
def dataset():
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (700, 1, 6, 6), generator=generator, dtype=torch.uint8)
    return Dataset("noise", images[:500], images[500:])


def test_a_generator_that_copies_training_images_is_called_copying(dataset):
    copier = ArraySampler(dataset.train.float() / 255)
    check = memorisation_check(copier, dataset, shown=4, distribution=200)
    assert torch.equal(check.pixel_index[:, 0], torch.arange(4))  # each found itself
    assert check.pixel_distance[:, 0].max() < 1e-2  # float32 rounding; distinct images: ~2
    assert check.ratio < 0.01 and check.near_copies == 1.0
    assert check.verdict().startswith("Copying")
    assert check.rows(dataset.train).shape == (4 * 4, 1, 6, 6)


def test_a_generator_drawing_unseen_images_is_not(dataset):
    fresh = torch.randint(0, 256, (300, 1, 6, 6), generator=torch.Generator().manual_seed(1))
    check = memorisation_check(ArraySampler(fresh.float() / 255), dataset, shown=4,
                               distribution=200)
    assert check.ratio == pytest.approx(1.0, abs=0.05)
    assert check.verdict().startswith("No sign of copying")
