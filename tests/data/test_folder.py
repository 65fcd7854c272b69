import numpy as np
import pytest
from PIL import Image

from ganforge.data.folder import read_image_folder
from ganforge.errors import DataError


def _write(path, size, color, mode="RGB"):
    Image.new(mode, size, color).save(path)


def test_mixed_sizes_and_formats_are_cropped_and_resized(tmp_path):
    _write(tmp_path / "a.png", (40, 20), (255, 0, 0))
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "b.JPG", (16, 16), (0, 0, 255))
    (tmp_path / "notes.txt").write_text("not an image")
    rgb = read_image_folder(tmp_path, 8, 3)
    assert rgb.shape == (2, 3, 8, 8) and rgb.dtype == np.uint8
    assert rgb[0, 0].mean() > 250 and rgb[0, 2].mean() < 5  # the red PNG, sorted first
    gray = read_image_folder(tmp_path, 4, 1)
    assert gray.shape == (2, 1, 4, 4)


def test_empty_folder_and_missing_folder(tmp_path):
    with pytest.raises(DataError, match="holds no PNG or JPEG"):
        read_image_folder(tmp_path, 8, 1)
    with pytest.raises(DataError, match="not found"):
        read_image_folder(tmp_path / "nope", 8, 1)


def test_unreadable_image_is_named(tmp_path):
    _write(tmp_path / "good.png", (8, 8), (1, 2, 3))
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataError, match="bad.png"):
        read_image_folder(tmp_path, 8, 1)
