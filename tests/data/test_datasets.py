import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge.config import DataConfig, ToyConfig
from ganforge.data import build_dataset
from ganforge.errors import DataError
from tests.conftest import write_idx, write_idx_folder


def test_mnist_5k_is_mlxtends_5000_real_digits_split_4000_1000_by_class():
    data = build_dataset(DataConfig(name="mnist-5k"))
    assert data.train.shape == (4000, 1, 28, 28) and data.test.shape == (1000, 1, 28, 28)
    assert data.train.dtype == torch.uint8 and data.train.max() == 255
    assert torch.bincount(data.test_labels).tolist() == [100] * 10
    again = build_dataset(DataConfig(name="mnist-5k"))
    assert torch.equal(data.test, again.test)  # the split is fixed


def test_digits_are_8x8_with_a_fixed_held_out_split():
    data = build_dataset(DataConfig(name="digits", test_fraction=0.2))
    assert data.sample_shape == (1, 8, 8)
    assert len(data.train) + len(data.test) == 1797 and len(data.test) == 359
    assert data.num_classes == 10


def test_fashion_mnist_reads_an_idx_folder(tmp_path):
    folder = write_idx_folder(tmp_path / "fashion", n_train=30, n_test=7)
    data = build_dataset(DataConfig(name="fashion-mnist", path=str(folder)))
    assert data.train.shape == (30, 1, 28, 28) and data.test.shape == (7, 1, 28, 28)
    assert data.train_labels.shape == (30,)


def test_missing_fashion_mnist_says_how_to_install_it(tmp_path):
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        build_dataset(DataConfig(name="fashion-mnist", path=str(tmp_path / "none")))


def test_idx_source_reads_plain_folders_and_single_file_pairs(tmp_path):
    folder = write_idx_folder(tmp_path / "mnist", n_train=20, n_test=5, compress=False)
    data = build_dataset(DataConfig(name="idx", path=str(folder), image_size=14))
    assert data.train.shape == (20, 1, 14, 14)
    images = write_idx(tmp_path / "imgs", np.full((50, 6, 6), 9, dtype=np.uint8))
    labels = write_idx(tmp_path / "labs", np.arange(50, dtype=np.uint8) % 3)
    data = build_dataset(DataConfig(name="idx", path=str(images), labels_path=str(labels)))
    assert len(data.train) == 45 and len(data.test) == 5
    assert data.train_labels is not None and data.num_classes == 3


def test_idx_labels_must_match_images(tmp_path):
    images = write_idx(tmp_path / "imgs", np.zeros((5, 4, 4), dtype=np.uint8))
    labels = write_idx(tmp_path / "labs", np.zeros(3, dtype=np.uint8))
    with pytest.raises(DataError, match="3 labels for 5 images"):
        build_dataset(DataConfig(name="idx", path=str(images), labels_path=str(labels)))


def test_folder_source_resizes_and_converts(tmp_path):
    for index in range(10):
        Image.new("RGB", (20, 30), (index * 20, 0, 0)).save(tmp_path / f"{index}.png")
    data = build_dataset(DataConfig(name="folder", path=str(tmp_path), image_size=16,
                                    channels=3, test_fraction=0.2))
    assert data.train.shape == (8, 3, 16, 16) and data.test.shape == (2, 3, 16, 16)
    assert data.train_labels is None


def test_channel_conversion_to_rgb():
    data = build_dataset(DataConfig(name="digits", channels=3, image_size=16))
    assert data.sample_shape == (3, 16, 16)
    assert torch.equal(data.train[:, 0], data.train[:, 1])


@pytest.mark.parametrize("name,shape,modes", [("gaussian-1d", (1,), 1), ("ring-2d", (2,), 8),
                                              ("grid-2d", (2,), 25)])
def test_toy_sources_come_with_their_density(name, shape, modes):
    data = build_dataset(DataConfig(name=name, toy=ToyConfig(num_train=5000, num_test=100)))
    assert data.sample_shape == shape and data.train.dtype == torch.float32
    assert len(data.distribution.means) == modes
    assert not data.is_image


def test_gaussian_1d_default_is_n_4_half():
    data = build_dataset(DataConfig(name="gaussian-1d"))
    assert abs(data.train.mean().item() - 4.0) < 0.01
    assert abs(data.train.std().item() - 0.5) < 0.01


def test_the_validation_split_takes_the_held_out_place_for_a_choice():
    digits = build_dataset(DataConfig(name="digits"))
    lent = dataclasses.replace(digits, validation=digits.train[:5],
                               validation_labels=digits.train_labels[:5])
    swapped = lent.validation_as_held_out()
    assert torch.equal(swapped.test, digits.train[:5])
    assert torch.equal(swapped.test_labels, digits.train_labels[:5])
    assert swapped.train is digits.train  # only the held-out split changes
    assert swapped.held_out == "validation" and swapped.carved_from is None
    assert swapped.held_out_described == "the 5 images of the validation split"


def test_without_a_validation_split_one_is_carved_from_the_training_images():
    digits = build_dataset(DataConfig(name="digits"))  # 1,617 training and 180 test digits
    carved = digits.validation_as_held_out()
    assert len(carved.test) == len(digits.test) == 180
    assert len(carved.train) == len(digits.train) - 180
    assert torch.equal(carved.train, digits.train[carved.carved_from.kept])
    assert carved.carved_from.dataset is digits and carved.held_out == "validation"
    # The carved images are training images the rest does not hold: every training image is in
    # exactly one of the two, with its own label.
    kept = set(carved.carved_from.kept.tolist())
    held = [index for index in range(len(digits.train)) if index not in kept]
    assert torch.equal(carved.test, digits.train[held])
    assert torch.equal(carved.test_labels, digits.train_labels[held])
    assert torch.equal(carved.train_labels, digits.train_labels[carved.carved_from.kept])
    # The same draw every time (not the run's seed), and no test image is read.
    assert torch.equal(digits.carve_validation().test, carved.test)
    assert carved.held_out_described == ("180 training images held out as validation (the "
                                         "data set has no validation split)")


def test_a_carved_split_takes_at_most_half_the_training_images():
    digits = build_dataset(DataConfig(name="digits"))
    few = dataclasses.replace(digits, train=digits.train[:100], train_labels=None)
    carved = few.carve_validation()
    assert len(carved.test) == len(carved.train) == 50 and carved.test_labels is None
    with pytest.raises(DataError, match="too few to carve a validation split"):
        dataclasses.replace(digits, train=digits.train[:1]).carve_validation()
