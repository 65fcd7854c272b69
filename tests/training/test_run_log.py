import json

import pytest

from ganforge.errors import GanforgeWarning
from ganforge.training.run_log import RunLog, read_log, time_limit_label, truncate_log

RECORDS = [{"step": step, "d_loss": 1.0, "g_loss": 0.5} for step in (1, 2, 3)]


def _write(path, records, torn: str = ""):
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + torn, encoding="utf-8")
    return path


def test_read_log_returns_every_complete_record(tmp_path):
    assert read_log(_write(tmp_path / "train.jsonl", RECORDS)) == RECORDS
    assert read_log(tmp_path) == RECORDS  # the run folder works too


@pytest.mark.parametrize("torn", ['{"step": 4, "d_lo', '{"step": 4, "d_loss": 1.0}'])
def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path, torn):
    # A kill mid-write leaves a line without its newline, complete JSON or not.
    path = _write(tmp_path / "train.jsonl", RECORDS, torn)
    with pytest.warns(GanforgeWarning, match="skipped 1 unreadable line"):
        assert read_log(path) == RECORDS


def test_truncate_log_keeps_complete_records_up_to_the_checkpoint(tmp_path):
    path = _write(tmp_path / "train.jsonl", RECORDS, '{"step": 4, "d_lo')
    truncate_log(path, 2)
    assert path.read_text(encoding="utf-8").endswith("\n")
    assert read_log(path) == RECORDS[:2]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_time_limited_bar_says_when_it_stops(tmp_path, capsys):
    # The demo's 100,000-step bar would otherwise promise an hour that the 525 s guard never runs.
    log = RunLog(tmp_path, total_steps=100_000, start_step=0, progress=True, tensorboard=False,
                 time_limit_s=525)
    log.close()
    bar = capsys.readouterr().err
    assert "stops after 8 min 45 s" in bar
    assert "0/100000 [00:00, " in bar          # no "<hh:mm:ss" estimate of the time left
    assert time_limit_label(42.4) == "stops after 42 s"
    assert time_limit_label(None) is None
