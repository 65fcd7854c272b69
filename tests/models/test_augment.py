import pytest
import torch

from ganforge.models.augment import (
    AUGMENTATIONS,
    brightness,
    build_augmentation,
    contrast,
    cutout,
    translate,
)


def _images(batch: int = 16, channels: int = 2, size: int = 16) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(batch, channels, size, size)


def _shift(image: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """Output pixel (i, j) = input (i + dy, j + dx), edges repeated: the reference translation."""
    height, width = image.shape[-2:]
    rows = (torch.arange(height) + dy).clamp(0, height - 1)
    cols = (torch.arange(width) + dx).clamp(0, width - 1)
    return image[:, rows][:, :, cols]


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_each_augmentation_keeps_shape_and_dtype_and_passes_gradients(name):
    x = _images().requires_grad_(True)
    out = AUGMENTATIONS[name](x)
    assert out.shape == x.shape and out.dtype == x.dtype
    out.square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_translation_shifts_each_image_by_at_most_an_eighth_of_its_side():
    x = _images(batch=64)
    out = translate(x)
    seen = set()
    for image, shifted in zip(x, out, strict=True):
        # 16 pixels: shifts of -2 .. 2 either way. Exactly one explains each output.
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if torch.equal(_shift(image, dy, dx), shifted)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) > 10  # drawn per image, not once per batch


def test_translation_routes_each_output_pixel_to_one_input_pixel():
    # The gradient of the output's sum counts how often each input pixel is read: H * W reads
    # per channel of each image, in all.
    x = _images(batch=8).requires_grad_(True)
    translate(x).sum().backward()
    assert torch.equal(x.grad.sum(dim=(2, 3)), torch.full((8, 2), 16.0 * 16.0))


def test_cutout_zeroes_one_square_of_half_the_side_clipped_at_the_edges():
    torch.manual_seed(0)
    x = torch.ones(64, 3, 16, 16)
    out = cutout(x)
    assert torch.equal(out[:, 0], out[:, 1]) and torch.equal(out[:, 0], out[:, 2])
    areas = []
    for image in out[:, 0]:
        zero_rows = (image == 0).any(dim=1).nonzero().flatten()
        zero_cols = (image == 0).any(dim=0).nonzero().flatten()
        assert 1 <= len(zero_rows) <= 8 and 1 <= len(zero_cols) <= 8
        # The zeros fill the rectangle their rows and columns span, and only it.
        block = image[zero_rows.min():zero_rows.max() + 1, zero_cols.min():zero_cols.max() + 1]
        assert torch.equal(block, torch.zeros_like(block))
        assert int((image == 0).sum()) == len(zero_rows) * len(zero_cols)
        areas.append(len(zero_rows) * len(zero_cols))
    assert max(areas) == 64 and min(areas) < 64  # whole squares inside, clipped ones at edges


def test_brightness_adds_one_offset_per_image_in_minus_half_to_half():
    x = _images(batch=64)
    offsets = brightness(x) - x
    per_image = offsets.flatten(1)
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image), atol=1e-6)
    assert per_image.min() >= -0.5 and per_image.max() < 0.5
    assert per_image[:, 0].std() > 0.2  # spread over the range, one draw per image


def test_contrast_scales_deviations_from_each_images_mean_by_half_to_one_and_a_half():
    x = _images(batch=64)
    out = contrast(x)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    assert torch.allclose(out.mean(dim=(1, 2, 3), keepdim=True), mean, atol=1e-5)
    # out - mean = f * (x - mean) for one f per image: fit f, then check the fit is exact.
    centred, scaled = x - mean, out - mean
    factors = (scaled * centred).sum(dim=(1, 2, 3)) / centred.square().sum(dim=(1, 2, 3))
    assert torch.allclose(scaled, factors.view(-1, 1, 1, 1) * centred, atol=1e-5)
    assert factors.min() >= 0.5 - 1e-5 and factors.max() < 1.5 + 1e-5


def test_build_applies_the_named_augmentations_in_order_and_none_is_the_identity():
    x = _images()
    assert build_augmentation(())(x) is x
    torch.manual_seed(3)
    composed = build_augmentation(("brightness", "contrast"))(x)
    torch.manual_seed(3)
    assert torch.equal(composed, contrast(brightness(x)))
    with pytest.raises(KeyError, match="unknown augmentation 'flip'.*translation"):
        build_augmentation(("flip",))


def test_below_probability_one_each_image_is_transformed_or_left_as_it_is():
    x = _images(batch=400)
    out = build_augmentation(("brightness",), probability=0.5)(x)
    unchanged = (out == x).flatten(1).all(dim=1)
    shifted = out - x
    # An image is either exactly itself or offset as a whole, and about half are each.
    assert torch.allclose(shifted[~unchanged].flatten(1).std(dim=1),
                          torch.zeros(int((~unchanged).sum())), atol=1e-6)
    assert 0.4 < unchanged.float().mean() < 0.6
    assert torch.equal(build_augmentation(("translation", "cutout"), probability=0.0)(x), x)
    with pytest.raises(ValueError, match="probability"):
        build_augmentation(("cutout",), probability=1.5)
