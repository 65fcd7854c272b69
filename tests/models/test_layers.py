import pytest
import torch

from ganforge.models.layers import MinibatchStdDev


def test_each_group_gets_the_mean_standard_deviation_of_its_features():
    # Two groups of two samples, two features each (as [B, C, 1, 1] feature maps).
    x = torch.tensor([[0.0, 1.0], [2.0, 1.0], [5.0, 5.0], [5.0, 9.0]]).view(4, 2, 1, 1)
    out = MinibatchStdDev(2)(x)
    assert out.shape == (4, 3, 1, 1)
    torch.testing.assert_close(out[:, :2], x)  # the features pass through unchanged
    # Group 1: stds (1, 0) -> mean 0.5; group 2: stds (0, 2) -> mean 1 (population std).
    torch.testing.assert_close(out[:, 2].flatten(), torch.tensor([0.5, 0.5, 1.0, 1.0]),
                               atol=1e-4, rtol=0)


def test_the_extra_map_is_constant_over_positions():
    out = MinibatchStdDev(4)(torch.randn(8, 3, 5, 5))
    spread = out[:, 3]
    assert torch.equal(spread, spread[:, :1, :1].expand_as(spread))


def test_a_batch_that_is_not_a_multiple_ends_with_a_shorter_group():
    x = torch.randn(7, 2, 3, 3)
    out = MinibatchStdDev(3)(x)
    # Groups [0:3], [3:6] as in a batch of 6, then the last sample on its own (no spread).
    torch.testing.assert_close(out[:6], MinibatchStdDev(3)(x[:6]))
    assert out[6, 2].abs().max() < 1e-3


def test_concatenated_halves_equal_two_passes():
    # The trainer's [real; fake] pass: with halves that are multiples of the group size, no
    # group mixes the two.
    layer = MinibatchStdDev(4)
    real, fake = torch.randn(8, 2, 3, 3), torch.randn(8, 2, 3, 3) * 0.1
    torch.testing.assert_close(layer(torch.cat([real, fake])),
                               torch.cat([layer(real), layer(fake)]))


def test_identical_samples_score_no_spread_and_the_spread_carries_gradients():
    same = torch.ones(4, 2, 3, 3)
    assert MinibatchStdDev(4)(same)[:, 2].max() < 1e-3
    x = torch.randn(4, 2, 3, 3, requires_grad=True)
    MinibatchStdDev(4)(x)[:, 2].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_bf16_inputs_keep_their_dtype():
    out = MinibatchStdDev(2)(torch.randn(4, 2, 3, 3).bfloat16())
    assert out.dtype == torch.bfloat16


def test_groups_of_one_are_refused():
    with pytest.raises(ValueError, match=">= 2 samples"):
        MinibatchStdDev(1)
