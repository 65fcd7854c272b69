"""The mode benchmark's worker pool: workers must not outlive a killed `ganforge modes`."""

import os
import signal
import subprocess
import sys
import time

import pytest

# A parent that starts one pool worker (with the benchmark's initializer), gives it a long job,
# prints the worker's pid and then waits; the test kills this parent with SIGKILL, the way an
# out-of-memory killer or `kill -9` would, so no clean-up code of the parent can run.
PARENT = """
import concurrent.futures, multiprocessing, os, time
from ganforge.experiments.modes import exit_with_parent

if __name__ == "__main__":
    pool = concurrent.futures.ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=exit_with_parent,
        initargs=(os.getpid(), 0.1))
    print(pool.submit(os.getpid).result(), flush=True)
    pool.submit(time.sleep, 600)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_worker_exits_when_its_parent_is_killed():
    with subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE,
                          text=True) as parent:
        try:
            worker = int(parent.stdout.readline())
            assert _alive(worker)
            parent.send_signal(signal.SIGKILL)
            parent.wait(timeout=10)
            deadline = time.monotonic() + 10
            while _alive(worker) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _alive(worker), "the pool worker outlived its killed parent"
        finally:
            parent.kill()
