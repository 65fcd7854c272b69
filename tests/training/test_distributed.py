"""Multi-process training with torchrun and DDP (gloo on the CPU)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ganforge.checkpoint import load_checkpoint
from ganforge.config import RunConfig, apply_overrides, config_to_dict
from ganforge.training.recluster import CLUSTERS_LOG_NAME
from tests.conftest import TINY_OVERRIDES

WORKER = Path(__file__).with_name("ddp_worker.py")
# Without dropout the two runs below draw the same data and noise, so they differ only by the
# order of floating-point sums (measured: at most 1.2e-7 over 12 steps).
TRAJECTORY_TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}


def _torchrun(nproc, *args):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc_per_node={nproc}", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def _write_config(config, path):
    path.write_text(json.dumps(config_to_dict(config)))
    return path


def _losses(run_dir):
    lines = (run_dir / "train.jsonl").read_text().splitlines()
    return torch.tensor([[json.loads(line)[k] for k in ("d_loss", "g_loss", "d_real", "d_fake")]
                         for line in lines])


@pytest.fixture
def ddp_config(tiny_config):
    return apply_overrides(tiny_config, {"train.batch_size": "8", "train.steps": "12",
                                         "model.mlp.d_dropout_input": "0",
                                         "model.mlp.d_dropout_hidden": "0"})


@pytest.fixture(scope="module")
def unbroken_run(tmp_path_factory):
    """One 12-step two-process run with dropout on (each rank draws its own masks), shared by
    the tests below: each torchrun costs ~12 s of start-up on 2 cores."""
    folder = tmp_path_factory.mktemp("ddp-unbroken")
    config = apply_overrides(RunConfig(), {**TINY_OVERRIDES, "train.batch_size": "8",
                                           "train.steps": "12"})
    _torchrun(2, WORKER, _write_config(config, folder / "whole.json"), folder / "run",
              folder / "w.pt", "new")
    return config, folder


def _ranks_weights_identical(weights_file):
    """Both ranks' G and D weights, as the worker saved them, equal key by key; returns rank
    0's."""
    rank0, rank1 = torch.load(weights_file, weights_only=True)
    for network in ("G", "D"):
        for key in rank0[network]:
            assert torch.equal(rank0[network][key], rank1[network][key]), (network, key)
    return rank0


def test_two_processes_end_with_identical_weights_on_both_ranks(unbroken_run):
    _, folder = unbroken_run
    rank0 = _ranks_weights_identical(folder / "w.pt")
    # Rank 0 alone wrote the run folder: one log line per step, one checkpoint.
    assert len((folder / "run" / "train.jsonl").read_text().splitlines()) == 12
    assert torch.equal(load_checkpoint(folder / "run")["generator"]["output.bias"],
                       rank0["G"]["output.bias"])


def _assert_two_processes_follow_one(config, folder):
    """Train `config` (batch 8) on two processes and on one at batch 16, in folder/two and
    folder/one: the two must log the same losses, step by step."""
    two = _write_config(config, folder / "two.json")
    one = _write_config(apply_overrides(config, {"train.batch_size": "16"}), folder / "one.json")
    _torchrun(2, WORKER, two, folder / "two", folder / "w2.pt", "new")
    _torchrun(1, WORKER, one, folder / "one", folder / "w1.pt", "new")
    torch.testing.assert_close(_losses(folder / "two"), _losses(folder / "one"),
                               **TRAJECTORY_TOLERANCE)


def test_two_processes_follow_the_single_process_trajectory(tmp_path, ddp_config):
    _assert_two_processes_follow_one(ddp_config, tmp_path)


def test_a_resumed_two_process_run_equals_an_unbroken_one(tmp_path, unbroken_run):
    config, folder = unbroken_run
    whole = _write_config(config, tmp_path / "whole.json")
    half = _write_config(apply_overrides(config, {"train.steps": "5"}), tmp_path / "half.json")
    _torchrun(2, WORKER, half, tmp_path / "broken", tmp_path / "b.pt", "new")
    _torchrun(2, WORKER, whole, tmp_path / "broken", tmp_path / "c.pt", "resume")
    unbroken, resumed = torch.load(folder / "w.pt", weights_only=True), \
        torch.load(tmp_path / "c.pt", weights_only=True)
    for rank in (0, 1):
        for network in ("G", "D"):
            for key, value in unbroken[rank][network].items():
                assert torch.equal(value, resumed[rank][network][key]), (rank, network, key)


def test_two_processes_recluster_as_one_process_does(tmp_path, ddp_config):
    # Rank 0 clusters D's features and broadcasts the labels. A rank that trained on other
    # clusters would change its half of each batch's conditioning, so the two-process run must
    # follow the one-process run through both rounds (5 and 10). (Each rank computing the same
    # clusters itself would pass too: the test checks the outcome, not who computes it.)
    config = apply_overrides(ddp_config, {"model.conditional": "true", "model.clusters": "4",
                                          "model.recluster_every_steps": "5"})
    _assert_two_processes_follow_one(config, tmp_path)
    rounds = [json.loads(line) for line in
              (tmp_path / "two" / CLUSTERS_LOG_NAME).read_text().splitlines()]
    assert [line["step"] for line in rounds] == [5, 10]
    assert rounds[0]["changed"] > 0  # D's features regrouped the pixel clusters
    two, one = (load_checkpoint(tmp_path / name) for name in ("two", "one"))
    assert torch.equal(two["cluster_labels"], one["cluster_labels"])
    for replica in torch.load(tmp_path / "w2.pt", weights_only=True):
        assert replica["prior"] == pytest.approx(two["class_prior"])


def test_two_processes_with_mode_seeking_train_one_g_on_both_ranks(tmp_path, ddp_config):
    # G's pass for its update carries the pairs' second draws in the same call, so DDP sees one
    # forward per backward and averages one set of gradients: the ranks stay identical.
    config = apply_overrides(ddp_config, {"train.mode_seeking_weight": "1"})
    _torchrun(2, WORKER, _write_config(config, tmp_path / "ms.json"), tmp_path / "run",
              tmp_path / "w.pt", "new")
    _ranks_weights_identical(tmp_path / "w.pt")
    assert torch.isfinite(_losses(tmp_path / "run")).all()
