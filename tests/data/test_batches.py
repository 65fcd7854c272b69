import pytest
import torch

from ganforge.data.batches import InMemoryBatches
from ganforge.errors import ConfigError


def test_an_epoch_visits_every_example_once():
    data = torch.arange(12)
    batches = InMemoryBatches(data, 4, seed=0)
    seen = torch.cat([batches.next() for _ in range(3)])
    assert sorted(seen.tolist()) == list(range(12))
    assert batches.epoch == 1


def test_ranks_split_the_global_batch_that_one_process_would_see():
    data = torch.arange(40)
    single = InMemoryBatches(data, 8, seed=3)
    rank0 = InMemoryBatches(data, 4, seed=3, rank=0, world_size=2)
    rank1 = InMemoryBatches(data, 4, seed=3, rank=1, world_size=2)
    for _ in range(7):  # crosses epoch boundaries
        assert torch.equal(single.next(), torch.cat([rank0.next(), rank1.next()]))


def test_state_dict_resumes_the_same_stream():
    data = torch.arange(30)
    batches = InMemoryBatches(data, 7, seed=1)
    for _ in range(5):
        batches.next()
    state = batches.state_dict()
    expected = [batches.next() for _ in range(6)]
    restored = InMemoryBatches(data, 7, seed=99)
    restored.load_state_dict(state)
    assert all(torch.equal(a, restored.next()) for a in expected)


def test_a_batch_larger_than_the_data_is_a_config_error():
    with pytest.raises(ConfigError, match="larger than the 10 training examples"):
        InMemoryBatches(torch.arange(10), 11, seed=0)


def test_resizing_carries_on_through_the_same_permutation():
    data = torch.arange(24)
    small = InMemoryBatches(data, 2, seed=5)
    resized = InMemoryBatches(data, 2, seed=5)
    first = [resized.next() for _ in range(3)]
    resized.resize(6)
    later = resized.next()
    stream = [small.next() for _ in range(6)]
    assert all(torch.equal(a, b) for a, b in zip(first, stream[:3], strict=True))
    assert torch.equal(later, torch.cat(stream[3:]))  # the next six of the same epoch
    assert resized.batch_size == 6 and resized.epoch == 1


def test_resizing_past_the_data_is_a_config_error_naming_the_setting():
    batches = InMemoryBatches(torch.arange(10), 4, seed=0, world_size=2, rank=1)
    with pytest.raises(ConfigError, match="train.late_batch_size 6 x 2 process"):
        batches.check_fits(6, "train.late_batch_size")
    assert batches.batch_size == 4  # refused, not applied


def test_resized_ranks_still_split_what_one_process_would_see():
    data = torch.arange(60)
    single = InMemoryBatches(data, 4, seed=2)
    ranks = [InMemoryBatches(data, 2, seed=2, rank=r, world_size=2) for r in range(2)]
    for step in range(12):  # resized at step 4, across epoch boundaries after it
        if step == 4:
            single.resize(12)
            for batches in ranks:
                batches.resize(6)
        assert torch.equal(single.next(), torch.cat([batches.next() for batches in ranks]))
