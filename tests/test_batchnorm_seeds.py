"""benchmarks/batchnorm_seeds.py: FD per report draw, kept against measured statistics, with
each measured row's mean difference paired by draw."""

import statistics

import pytest
from benchmarks.batchnorm_seeds import compare, markdown

import ganforge
from ganforge.metrics import keys


def test_rows_are_the_report_draws_and_a_seed_measures_the_same_every_time(
        batchnorm_run, quick_classifier):
    rows = compare(batchnorm_run, 1.0, [5, 5, 6], batches=2, draws=2)
    assert [label for label, _ in rows] == ["kept", "measured, seed 5", "measured, seed 5",
                                            "measured, seed 6"]
    plain = ganforge.evaluate(batchnorm_run, metrics=["fd"], seed=1, log=False, progress=False)
    assert rows[0][1][1] == pytest.approx(plain["fd"].values[keys.FRECHET_DISTANCE])
    assert rows[1][1] == rows[2][1]  # the same noise measures the same statistics
    assert rows[1][1] != rows[3][1] and rows[1][1] != rows[0][1]


def test_the_table_pairs_each_measured_row_with_the_kept_one_by_draw(batchnorm_run):
    table = markdown(batchnorm_run, 1.15, [("kept", [0.30, 0.20]),
                                           ("measured, seed 0", [0.28, 0.21])])
    lines = table.splitlines()
    assert lines[0].startswith("| run, T = 1.15 | FD, draw 0 | FD, draw 1 | mean |")
    differences = [-0.02, 0.01]
    error = statistics.stdev(differences) / 2 ** 0.5
    assert lines[2] == "| kept | 0.3000 | 0.2000 | 0.2500 |  |"
    assert lines[3] == f"| measured, seed 0 | 0.2800 | 0.2100 | 0.2450 | -0.0050 +- {error:.4f} |"
