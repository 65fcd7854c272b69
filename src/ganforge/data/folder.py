"""Read a folder of PNG/JPEG images with Pillow into one uint8 array."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from tqdm import tqdm

from ganforge.errors import DataError
from ganforge.memory import require_memory, tensor_bytes

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def list_images(folder: str | Path) -> list[Path]:
    """All PNG/JPEG files under `folder`, recursively, in a stable order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"image folder {folder} not found; pass an existing folder as --data.path")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"image folder {folder} holds no PNG or JPEG images")
    return files


def read_image_folder(folder: str | Path, image_size: int, channels: int,
                      *, progress: bool = False) -> np.ndarray:
    """Load every image, centre-cropped to a square and resized: uint8 [N, C, size, size]."""
    mode = "L" if channels == 1 else "RGB"
    files = list_images(folder)
    require_memory(tensor_bytes((len(files), image_size, image_size, channels), itemsize=1),
                   f"{len(files):,} images of {image_size}x{image_size}x{channels}")
    images = np.empty((len(files), image_size, image_size, channels), dtype=np.uint8)
    # A bar only where reading takes a while; leave=False so that an error stays one line.
    bar = tqdm(files, desc="reading images", disable=not progress or len(files) < 1000,
               leave=False)
    for index, file in enumerate(bar):
        try:
            with Image.open(file) as opened:
                converted = opened.convert(mode)
                # fit() crops the centre to the target aspect ratio, so faces and objects
                # keep their proportions instead of being squashed.
                fitted = ImageOps.fit(converted, (image_size, image_size),
                                      method=Image.Resampling.LANCZOS)
                images[index] = np.asarray(fitted).reshape(image_size, image_size, channels)
        except Image.DecompressionBombError:
            # Pillow refuses images far larger than any training image, before decoding them.
            raise DataError(f"image {file} is too large to decode safely (over "
                            f"{2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels); shrink or remove "
                            "it") from None
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise DataError(f"cannot read image {file} ({error}); remove or replace it") from None
    return images.transpose(0, 3, 1, 2).copy()
