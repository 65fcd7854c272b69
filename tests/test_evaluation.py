"""ganforge.evaluate and `ganforge evaluate`: every metric, the floor, and metrics.jsonl."""

import json
import statistics

import pytest

import ganforge
from ganforge.cli import main
from ganforge.config import apply_overrides
from ganforge.errors import ConfigError
from ganforge.metrics.keys import CLASS_COVERAGE_KL, FRECHET_DISTANCE, PARZEN_LOG_LIKELIHOOD


def test_every_metric_has_a_value_a_floor_and_a_logged_record(digits_run, quick_classifier):
    results = ganforge.evaluate(digits_run, n_samples=300, progress=False)
    assert set(results) == {"parzen", "fd", "kid", "classifier_score", "prdc", "class_coverage",
                            "memorisation"}
    for result in results.values():
        assert result.values.keys() == result.floor.keys()
    # Real held-out images are closer to the training images than an undertrained G is.
    assert results["fd"].floor[FRECHET_DISTANCE] < results["fd"].values[FRECHET_DISTANCE]
    assert results["parzen"].floor[PARZEN_LOG_LIKELIHOOD] > \
        results["parzen"].values[PARZEN_LOG_LIKELIHOOD]
    # 180 held-out digits: their class histogram alone differs from the training labels' by a
    # KL of about (classes - 1) / (2 n) = 0.025 (a chi-square's mean); allow three times that.
    assert results["class_coverage"].floor[CLASS_COVERAGE_KL] < 3 * 9 / (2 * 180)
    records = [json.loads(line) for line in (digits_run / "metrics.jsonl").read_text()
               .splitlines()]
    assert {r["metric"] for r in records} == set(results)
    for record in records:
        for key in ("n_samples", "seed", "ganforge_version", "values", "real_floor", "data"):
            assert key in record, (record["metric"], key)
    parzen = next(r for r in records if r["metric"] == "parzen")
    assert parzen["sigma"] > 0 and parzen["split"] == "test"
    fd = next(r for r in records if r["metric"] == "fd")
    assert fd["feature_network"]["name"].startswith("ganforge-cnn")
    assert 0 <= fd["feature_network"]["test_accuracy"] <= 1


def test_the_cli_prints_the_table_and_appends(digits_run, quick_classifier, capsys):
    before = len((digits_run / "metrics.jsonl").read_text().splitlines()) \
        if (digits_run / "metrics.jsonl").exists() else 0
    assert main(["evaluate", str(digits_run), "--metrics", "parzen,fd", "--n-samples",
                 "200"]) == 0
    out = capsys.readouterr().out
    assert "parzen_log_likelihood" in out and "frechet_distance" in out
    assert len((digits_run / "metrics.jsonl").read_text().splitlines()) == before + 2


def test_temperature_moves_the_scores_and_is_logged(digits_run, quick_classifier, capsys):
    assert main(["evaluate", str(digits_run), "--metrics", "fd", "--n-samples", "200",
                 "--temperature", "0.5"]) == 0
    cooled = json.loads((digits_run / "metrics.jsonl").read_text().splitlines()[-1])
    plain = ganforge.evaluate(digits_run, metrics=["fd"], n_samples=200, progress=False)
    record = json.loads((digits_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert (cooled["temperature"], record["temperature"]) == (0.5, 1.0)
    assert record["batchnorm_measured"] is None  # the statistics training kept
    assert cooled["values"][FRECHET_DISTANCE] != plain["fd"].values[FRECHET_DISTANCE]
    capsys.readouterr()
    assert main(["evaluate", str(digits_run), "--temperature", "0"]) == 2
    assert "temperature must be a positive number" in capsys.readouterr().err


def test_draws_average_independent_sample_seeds_and_are_logged(digits_run, quick_classifier,
                                                               capsys):
    singles = [ganforge.evaluate(digits_run, metrics=["fd"], n_samples=200, seed=seed,
                                 progress=False, log=False)["fd"].values[FRECHET_DISTANCE]
               for seed in (3, 4, 5)]
    assert len(set(singles)) == 3  # the seeds draw different samples
    combined = ganforge.evaluate(digits_run, metrics=["fd"], n_samples=200, seed=3, draws=3,
                                 progress=False)["fd"]
    assert combined.values[FRECHET_DISTANCE] == pytest.approx(statistics.mean(singles))
    assert combined.standard_error[FRECHET_DISTANCE] == \
        pytest.approx(statistics.stdev(singles) / 3 ** 0.5)
    record = json.loads((digits_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert record["draws"] == 3 and record["seed"] == 3
    assert record["standard_error"][FRECHET_DISTANCE] == \
        pytest.approx(combined.standard_error[FRECHET_DISTANCE])
    # The CLI prints the error column; zero draws is a one-line usage error.
    assert main(["evaluate", str(digits_run), "--metrics", "fd", "--n-samples", "200",
                 "--draws", "2"]) == 0
    assert "+- s.e." in capsys.readouterr().out
    assert main(["evaluate", str(digits_run), "--draws", "0"]) == 2
    assert "--draws: must be >= 1" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="--draws must be >= 1"):
        ganforge.evaluate(digits_run, draws=0)


def test_a_redraw_shares_the_real_features_but_not_the_samples(digits_run, quick_classifier):
    from ganforge.metrics.context import EvaluationContext

    sampler = ganforge.load_generator(digits_run, device="cpu")
    context = EvaluationContext(sampler, ganforge.build_dataset(sampler.config.data),
                                n_samples=50, progress=False)
    train, fake = (context.outputs(name, features=True) for name in ("train", "fake"))
    again = context.redraw(1)
    assert again.seed == 1 and again.loaded_classifier() is context.loaded_classifier()
    assert again.outputs("train", features=True) is train
    assert not again.samples(50).equal(context.samples(50))
    assert not again.outputs("fake", features=True).equal(fake)


def test_bad_requests_are_config_errors(digits_run, tmp_path, capsys):
    with pytest.raises(ConfigError, match="unknown metric"):
        ganforge.evaluate(digits_run, metrics=["fid_inception"], progress=False)
    code = main(["evaluate", str(digits_run), "--inception-weights", str(tmp_path / "none.pth")])
    err = capsys.readouterr().err
    assert code == 2 and "not found" in err and "Traceback" not in err
    weights = tmp_path / "weights.pth"
    weights.write_bytes(b"x")
    code = main(["evaluate", str(digits_run), "--metrics", "parzen,inception_fid",
                 "--n-samples", "50", "--inception-weights", str(weights)])
    assert code == 2 and "torch-fidelity" in capsys.readouterr().err


def test_a_metric_whose_needs_are_not_met_is_refused(digits_run):
    with pytest.raises(ConfigError, match="inception_fid needs inception_weights"):
        ganforge.evaluate(digits_run, metrics=["inception_fid"], progress=False)


def test_toy_runs_are_refused(tmp_path, tiny_config):
    config = apply_overrides(tiny_config, {"data.name": "ring-2d", "model.g_output": "linear",
                                           "model.noise_dim": "2"})
    ganforge.train(config, tmp_path / "toy")
    with pytest.raises(ConfigError, match="toy data"):
        ganforge.evaluate(tmp_path / "toy", progress=False)


class _FixedImages:
    """Not a ganforge Sampler: a peer's network seen through the metrics' protocol."""

    def __init__(self, images):
        self.images = images

    def sample(self, n, *, seed=None):
        return self.images[:n].float() / 255

    def check_labels(self, labels, n):
        return None


def test_any_object_that_samples_can_be_scored_against_a_data_set(quick_classifier):
    from ganforge.config import DataConfig

    data = ganforge.build_dataset(DataConfig(name="digits"))
    copies = ganforge.evaluate(_FixedImages(data.test), metrics=["fd"], dataset=data,
                               progress=False)["fd"]
    # The held-out images themselves are the floor, exactly.
    assert copies.values[FRECHET_DISTANCE] == pytest.approx(copies.floor[FRECHET_DISTANCE])
    blank = ganforge.evaluate(_FixedImages(data.test * 0), metrics=["fd"], dataset=data,
                              progress=False)["fd"]
    assert blank.values[FRECHET_DISTANCE] > 10 * copies.values[FRECHET_DISTANCE]
    with pytest.raises(ConfigError, match="needs its data set"):
        ganforge.evaluate(_FixedImages(data.test), metrics=["fd"])
    with pytest.raises(ConfigError, match="measure_batchnorm= applies to a run folder"):
        ganforge.evaluate(_FixedImages(data.test), metrics=["fd"], dataset=data,
                          measure_batchnorm=2)
