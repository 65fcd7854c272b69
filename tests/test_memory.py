"""Sizes are checked against the machine before memory is touched: one line, the estimate and
what is available, and no allocation."""

import resource

import pytest

from ganforge.cli import main
from ganforge.errors import ResourceError
from ganforge.memory import available_bytes, format_bytes, require_disk, require_memory
from tests.conftest import TINY_OVERRIDES

TINY_ARGS = [arg for key, value in TINY_OVERRIDES.items() for arg in (f"--{key}", value)]


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KB on Linux


def _refused(capsys, *argv) -> str:
    before = _peak_rss_bytes()
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "needs about" in lines[0], err
    assert "available" in lines[0] or "free" in lines[0], err
    # Refused from shapes alone: the process did not grow by anything like the request.
    assert _peak_rss_bytes() - before < 512 * 2**20
    return lines[0]


@pytest.mark.parametrize("flag,value", [
    ("--model.mlp.g-hidden", "100000,100000"),
    ("--train.batch-size", "100000000"),
])
def test_absurd_networks_and_batches_are_refused_before_allocation(capsys, flag, value):
    line = _refused(capsys, "train", "--dry-run", *TINY_ARGS, flag, value)
    assert "training (" in line


def test_an_absurd_image_size_is_refused_before_resizing(capsys, tmp_path):
    _refused(capsys, "train", "--run-dir", tmp_path / "r", *TINY_ARGS, "--data.image-size",
             "20000")
    assert not (tmp_path / "r").exists()


def test_a_billion_samples_are_refused_before_drawing(capsys, tmp_path, tiny_config):
    from ganforge import train

    train(tiny_config, tmp_path / "run")
    # A grid is one picture: the samples themselves are what cannot fit in memory ...
    line = _refused(capsys, "sample", tmp_path / "run", "--n", 10**9, "--out",
                    tmp_path / "s.png")
    assert "of memory" in line
    # ... and 10^10 raw samples would not fit on the disk either, checked before drawing.
    line = _refused(capsys, "sample", tmp_path / "run", "--n", 10**10, "--out",
                    tmp_path / "s.npz")
    assert "of disk" in line
    assert not (tmp_path / "s.png").exists() and not (tmp_path / "s.npz").exists()


def test_the_estimates_compare_with_what_the_machine_has(tmp_path):
    assert available_bytes() > 0
    require_memory(1024, "a kilobyte")
    with pytest.raises(ResourceError, match="needs about 1024.0 PB of memory"):
        require_memory(2**60, "an exabyte")
    with pytest.raises(ResourceError, match="of disk"):
        require_disk(2**60, "an exabyte", tmp_path / "not" / "yet")
    assert format_bytes(1536) == "1.5 KB" and format_bytes(3 * 2**30) == "3.0 GB"
