"""One run folder, one writer: two real processes, an OS lock that dies with its holder."""

import os
import signal
import subprocess
import sys
import time

import pytest

from ganforge.cli import main
from ganforge.errors import RunLockedError
from ganforge.run_lock import LOCK_NAME, run_dir_lock
from tests.conftest import TINY_OVERRIDES

TINY_ARGS = [arg for key, value in TINY_OVERRIDES.items() for arg in (f"--{key}", value)]


def _start_training(run_dir) -> subprocess.Popen:
    """A real `ganforge train` that runs long enough to be caught in the act."""
    return subprocess.Popen(
        [sys.executable, "-m", "ganforge", "train", "--run-dir", str(run_dir), *TINY_ARGS,
         "--train.steps", "1000000", "--train.checkpoint-every-steps", "20"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process, timeout_s=120.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the training process did not get going"
        time.sleep(0.2)


def test_a_second_writer_is_refused_and_readers_work_while_training(tmp_path, capsys):
    run_dir = tmp_path / "run"
    holder = _start_training(run_dir)
    try:
        _wait_for(lambda: (run_dir / "checkpoints" / "latest.pt").is_file(), holder)
        for argv in (["train", "--run-dir", str(run_dir), *TINY_ARGS],
                     ["train", "--resume", str(run_dir), "--train.steps", "2000000"]):
            code = main(argv)
            err = capsys.readouterr().err
            assert code == 1 and err.count("\n") == 1, err
            assert f"PID {holder.pid}" in err and str(run_dir) in err
        # Readers take no lock: they see the last complete checkpoint and log lines.
        assert main(["plot", str(run_dir), "--out", str(tmp_path / "c.png")]) == 0
        assert main(["sample", str(run_dir), "--n", "4", "--out", str(tmp_path / "s.png")]) == 0
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()  # reap it and close its pipe
    # A killed holder leaves no stale lock: the kernel released it with the process.
    with run_dir_lock(run_dir):
        assert (run_dir / LOCK_NAME).read_text().strip() == str(os.getpid())


def test_the_lock_refuses_a_second_holder_in_the_same_process(tmp_path):
    with run_dir_lock(tmp_path):
        with pytest.raises(RunLockedError, match=f"PID {os.getpid()}"):
            with run_dir_lock(tmp_path):
                pass
    with run_dir_lock(tmp_path):  # released on exit
        pass


def test_an_empty_folder_holding_only_a_lock_file_can_be_trained_into(tmp_path, tiny_config):
    from ganforge import train

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / LOCK_NAME).write_text("12345\n")  # left by an earlier, killed attempt
    assert train(tiny_config, tmp_path / "run").step == 20
