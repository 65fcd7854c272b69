import gzip

import numpy as np
import pytest

from ganforge.data.idx import read_idx
from ganforge.errors import DataError
from tests.conftest import write_idx


@pytest.mark.parametrize("compress", [False, True])
def test_images_and_labels_round_trip(tmp_path, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([7, 1], dtype=np.uint8)
    assert np.array_equal(read_idx(write_idx(tmp_path / "i", images, compress=compress)), images)
    assert np.array_equal(read_idx(write_idx(tmp_path / "l", labels, compress=compress)), labels)


def test_big_endian_integers_are_decoded(tmp_path):
    values = np.array([1, 256, -5], dtype=">i4")
    path = tmp_path / "ints"
    path.write_bytes(bytes([0, 0, 0x0C, 1]) + (3).to_bytes(4, "big") + values.tobytes())
    assert read_idx(path).tolist() == [1, 256, -5]


def test_truncated_file_is_a_data_error_naming_the_file(tmp_path):
    path = write_idx(tmp_path / "t", np.zeros((10, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match=f"{path}.*truncated"):
        read_idx(path)


def test_bad_magic_and_missing_file_and_broken_gzip(tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"PK\x03\x04 not idx at all")
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(junk)
    with pytest.raises(DataError, match="not found"):
        read_idx(tmp_path / "missing")
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 40)[:20])
    with pytest.raises(DataError, match=f"{broken}.*(cannot be read|truncated)"):
        read_idx(broken)


@pytest.mark.parametrize("compress", [False, True])
def test_a_header_that_promises_more_than_the_file_holds_is_refused_before_allocating(
        tmp_path, compress):
    import struct

    # 10^9 images of 1000 x 1000 pixels promised, 16 bytes delivered.
    raw = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 10**9, 1000, 1000) + bytes(16)
    path = tmp_path / "liar-idx3-ubyte"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    with pytest.raises(DataError, match="promises shape .* more than a"):
        read_idx(path)
