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


def test_a_decompression_bomb_is_a_data_error_naming_the_file(tmp_path):
    import struct
    import zlib

    # A PNG whose header claims 60,000 x 60,000 pixels: Pillow refuses it before decoding.
    Image.new("L", (1, 1)).save(tmp_path / "bomb.png")
    data = bytearray((tmp_path / "bomb.png").read_bytes())
    data[16:24] = struct.pack(">II", 60_000, 60_000)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))  # the IHDR chunk's CRC
    (tmp_path / "bomb.png").write_bytes(bytes(data))
    with pytest.raises(DataError, match="bomb.png is too large to decode safely"):
        read_image_folder(tmp_path, 8, 1)
