"""benchmarks/sample_spread.py: centres of mass and nearest-other distances by hand."""

import torch
from benchmarks.sample_spread import centres_of_mass, nearest_other, spread


def test_the_centre_of_mass_of_a_single_bright_pixel_is_that_pixel():
    images = torch.zeros(2, 1, 5, 7)
    images[0, 0, 1, 4] = 1.0
    images[1, 0, 3, 0] = 0.5
    images[1, 0, 3, 2] = 0.5  # two equal pixels: halfway between them
    assert torch.allclose(centres_of_mass(images), torch.tensor([[1.0, 4.0], [3.0, 1.0]]))


def test_nearest_other_finds_duplicates_and_never_the_image_itself():
    images = torch.zeros(3, 1, 2, 2)
    images[1, 0, 0, 0] = 3.0
    images[2, 0, 0, 0] = 3.0
    images[2, 0, 1, 1] = 4.0
    # 0 -> 1: 3; 1 -> 0: 3 (2 is 4 away); 2 -> 1: 4.
    assert torch.allclose(nearest_other(images), torch.tensor([3.0, 3.0, 4.0]))


def test_spread_counts_images_shifted_by_more_than_a_pixel():
    images = torch.zeros(4, 1, 9, 9)
    for index, column in enumerate((4, 4, 5, 7)):  # offsets 0, 0, 1, 3 from the centre
        images[index, 0, 4, column] = 1.0
    figures = spread(images, torch.tensor([4.0, 4.0]))
    assert figures["shifted_share"] == 0.25  # only 3 px is more than 1 px
    assert abs(figures["offset_mean"] - 1.0) < 1e-6
    # Images 0 and 1 are the same; 2 is sqrt(2) from them and 3 farther: half have a twin.
    assert figures["duplicate_share"] == 0.5
