"""Sample grids and image files, written with Pillow."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image
from torch import Tensor

from ganforge.files import atomic_path


def images_to_uint8(images: Tensor) -> np.ndarray:
    """[N, C, H, W] floats in [0, 1] -> uint8 [N, H, W, C]."""
    array = images.detach().float().clamp(0, 1).mul(255).round().byte().cpu().numpy()
    return array.transpose(0, 2, 3, 1)


def make_grid(images: Tensor, nrow: int | None = None, padding: int = 2) -> np.ndarray:
    """Tile [N, C, H, W] images in [0, 1] into one uint8 [H', W', C] array, `nrow` per row."""
    pixels = images_to_uint8(images)
    count, height, width, channels = pixels.shape
    nrow = nrow or math.ceil(math.sqrt(count))
    rows = math.ceil(count / nrow)
    grid = np.zeros((rows * (height + padding) + padding, nrow * (width + padding) + padding,
                     channels), dtype=np.uint8)
    for index in range(count):
        top = padding + (index // nrow) * (height + padding)
        left = padding + (index % nrow) * (width + padding)
        grid[top:top + height, left:left + width] = pixels[index]
    return grid


def _to_pil(array: np.ndarray, scale: int) -> Image.Image:
    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    return image


def grid_image(images: Tensor, nrow: int | None = None, scale: int = 1) -> Image.Image:
    """A Pillow image of [N, C, H, W] images in [0, 1], tiled `nrow` per row."""
    return _to_pil(make_grid(images, nrow), scale)


def save_grid(images: Tensor, path: str | Path, nrow: int | None = None, scale: int = 1) -> None:
    """Write a grid PNG of [N, C, H, W] images in [0, 1]; `scale` enlarges small images."""
    with atomic_path(path) as temporary:
        grid_image(images, nrow, scale).save(temporary, format="PNG")


def save_images(images: Tensor, folder: str | Path) -> list[Path]:
    """Write one PNG per image into `folder` (created if needed): sample_00000.png, ..."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, pixels in enumerate(images_to_uint8(images)):
        path = folder / f"sample_{index:05d}.png"
        with atomic_path(path) as temporary:
            _to_pil(pixels, 1).save(temporary, format="PNG")
        paths.append(path)
    return paths
