"""benchmarks/fd_terms.py: its rows against hand-made feature sets, and its table."""

from pathlib import Path

import pytest
import torch
from benchmarks import fd_terms
from benchmarks.fd_terms import FLOOR, average_only, in_layer, markdown, study_run, terms_row

import ganforge
from ganforge.checkpoint import load_checkpoint
from ganforge.errors import GanforgeError
from ganforge.sampler import averaged_weights
from tests.conftest import train_digits_run


def test_a_row_splits_a_shifted_and_shrunk_set_into_its_two_terms():
    train = torch.randn(3000, 6, generator=torch.Generator().manual_seed(0),
                        dtype=torch.float64)
    centre = train.mean(dim=0)
    # Shrunk to 0.8 of its spread and moved by 0.5 along every feature: mean term 6 * 0.25.
    row = terms_row(1.2, train, centre + (train - centre) * 0.8 + 0.5)
    assert row["temperature"] == 1.2
    assert row["mean_term"] == pytest.approx(1.5, rel=1e-9)
    assert row["spread_ratio"] == pytest.approx(0.64, rel=1e-9)
    # Tr(S + 0.64 S - 2 * 0.8 S) = 0.04 Tr(S).
    assert row["covariance_term"] == pytest.approx(0.04 * float(train.var(dim=0).sum()),
                                                   rel=1e-6)
    assert row["frechet_distance"] == pytest.approx(row["mean_term"] + row["covariance_term"])


def test_the_table_labels_the_floor_row_and_formats_each_figure():
    rows = [{"temperature": FLOOR, "frechet_distance": 0.0363, "mean_term": 0.004,
             "covariance_term": 0.0323, "spread_ratio": 1.001},
            {"temperature": 1.15, "frechet_distance": 0.2, "mean_term": 0.05,
             "covariance_term": 0.15, "spread_ratio": 0.912}]
    lines = markdown({"lr4/run": {"step": 40020, "seed": 0, "rows": rows}}).splitlines()
    assert lines[2] == "| lr4/run | 40,020 | test images (floor) | 0.036 | 0.004 | 0.032 | 1.001 |"
    assert lines[3] == "| lr4/run | 40,020 | 1.15 | 0.200 | 0.050 | 0.150 | 0.912 |"


def test_a_key_held_by_another_run_is_refused_before_any_scoring(
        digits_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def scored(*args, **kwargs):
        return {"step": 60, "seed": 0, "rows": []}

    monkeypatch.setattr(fd_terms, "study", scored)
    first = study_run({}, "k", digits_run, [1.0], 0)
    assert first["step"] == 60 and len(first["config"]) == 16  # the digest is stored
    study_run({"k": first}, "k", digits_run, [1.0], 0)  # the same run again: replaced
    monkeypatch.setattr(fd_terms, "study", lambda *args, **kwargs: pytest.fail("scored"))
    with pytest.raises(SystemExit, match="step 40,020 .this one is at 60.*--tag"):
        study_run({"k": {**first, "step": 40_020}}, "k", digits_run, [1.0], 0)
    with pytest.raises(SystemExit, match="another configuration"):
        study_run({"k": {**first, "config": "0123456789abcdef"}}, "k", digits_run, [1.0], 0)


def test_average_only_takes_the_named_layers_from_the_average_and_the_rest_as_trained(
        tmp_path: Path) -> None:
    run_dir = train_digits_run(tmp_path / "run", **{"train.ema_decay": "0.9"})
    payload = load_checkpoint(run_dir)
    trained, average = payload["generator"], averaged_weights(payload)
    assert average is not None
    generator = ganforge.load_generator(run_dir, device="cpu", use_ema=False)
    first = next(iter(trained)).rsplit(".", 1)[0]  # the first layer's name
    average_only(generator, average, run_dir, [first])
    state = generator.network.state_dict()
    chosen = [name for name in state if name.startswith(first + ".")]
    assert chosen and len(chosen) < len(state)
    for name, value in state.items():
        expected = average[name] if name in chosen else trained[name]
        assert torch.equal(value, expected), name
    # The two sources differ where it matters, so the check above can fail.
    assert not torch.equal(average[chosen[0]], trained[chosen[0]])
    with pytest.raises(GanforgeError, match="names none of G's layers.*include"):
        average_only(generator, average, run_dir, ["no.such.layer"])
    # A name is matched by whole components: the start of a module's name is no module.
    partial = first.split(".")[0][:-1]
    assert any(name.startswith(partial) for name in state)
    with pytest.raises(GanforgeError, match=f"--average-only '{partial}' names none"):
        average_only(generator, average, run_dir, [partial])


def test_in_layer_matches_whole_components() -> None:
    assert in_layer("base.project.0.weight", "base.project")
    assert in_layer("base.project", "base.project")
    assert not in_layer("base.projector.weight", "base.project")
    assert not in_layer("base.project.0.weight", "base.proj")


def test_average_only_needs_a_run_that_keeps_an_average(digits_run: Path) -> None:
    generator = ganforge.load_generator(digits_run, device="cpu", use_ema=False)
    with pytest.raises(GanforgeError, match="ema_decay"):
        average_only(generator, averaged_weights(load_checkpoint(digits_run)), digits_run,
                     ["net"])


def test_measuring_batchnorm_changes_the_weights_label_and_needs_batchnorms(
        batchnorm_run: Path, digits_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fd_terms, "study", lambda *args, **kwargs: {"step": 20, "rows": []})
    study = study_run({}, "k", batchnorm_run, [1.0], 0, batchnorm_batches=2)
    # Batches as large as the run trained on (the digits runs' train.batch_size, 32).
    assert study["weights"] == "moving average; BatchNorm statistics measured on 2 batches of 32"
    network = ganforge.load_generator(batchnorm_run, device="cpu").network
    norms = [(name, module.num_features) for name, module in network.named_modules()
             if isinstance(module, torch.nn.modules.batchnorm._BatchNorm)]
    assert [(layer["layer"], layer["features"]) for layer in study["batchnorm_moved"]] == norms
    with pytest.raises(GanforgeError, match="no BatchNorm layers"):
        study_run({}, "k", digits_run, [1.0], 0, batchnorm_batches=2)
