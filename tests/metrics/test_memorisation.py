import torch

from ganforge.metrics.keys import MEMORISATION_RATIO, NEAREST_TRAIN_DISTANCE
from ganforge.metrics.memorisation import memorisation, nearest_distances


def test_nearest_distances_match_brute_force_for_any_chunk_size():
    torch.manual_seed(0)
    queries, reference = torch.rand(37, 16), torch.rand(50, 16)
    brute = torch.cdist(queries.double(), reference.double()).min(1).values.float()
    for chunk in (1, 8, 1024):
        torch.testing.assert_close(nearest_distances(queries, reference, chunk_size=chunk),
                                   brute)


def test_a_copying_generator_scores_far_below_held_out_images():
    torch.manual_seed(0)
    train, held_out = torch.rand(200, 1, 4, 4), torch.rand(100, 1, 4, 4)
    copies = train[:100] + 0.001  # samples that are training images, barely perturbed
    values, floor = memorisation(copies, train, held_out)
    assert values[NEAREST_TRAIN_DISTANCE] < 0.01
    assert values[MEMORISATION_RATIO] < 0.01
    assert floor[MEMORISATION_RATIO] == 1.0
    # Fresh draws from the same distribution as the training images look like held-out ones.
    values, _ = memorisation(torch.rand(100, 1, 4, 4), train, held_out)
    assert 0.8 < values[MEMORISATION_RATIO] < 1.25
