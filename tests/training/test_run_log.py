import json

import pytest

from ganforge.errors import GanforgeWarning
from ganforge.training.run_log import read_log, truncate_log

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
