import numpy as np
import torch
from PIL import Image

from ganforge.viz.grid import make_grid, save_grid, save_images


def test_grid_layout_and_padding():
    images = torch.zeros(10, 1, 5, 5)
    images[3] = 1.0
    grid = make_grid(images, nrow=4, padding=2)
    assert grid.shape == (3 * 7 + 2, 4 * 7 + 2, 1)
    top, left = 2, 2 + 3 * 7  # the fourth image sits at row 0, column 3
    assert (grid[top:top + 5, left:left + 5] == 255).all()
    assert grid.sum() == 255 * 25


def test_saved_png_has_the_grid_size(tmp_path):
    save_grid(torch.rand(16, 3, 8, 8), tmp_path / "g.png", scale=2)
    with Image.open(tmp_path / "g.png") as image:
        assert image.size == (2 * (4 * 10 + 2), 2 * (4 * 10 + 2)) and image.mode == "RGB"


def test_individual_images(tmp_path):
    paths = save_images(torch.rand(3, 1, 6, 6), tmp_path / "out")
    assert [p.name for p in paths] == ["sample_00000.png", "sample_00001.png",
                                       "sample_00002.png"]
    with Image.open(paths[0]) as image:
        assert np.asarray(image).shape == (6, 6)
