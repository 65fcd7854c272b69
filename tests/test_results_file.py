"""benchmarks/results_file.py: a benchmark's results json read back as it was saved, {} before
the first run (an error for an option that only redraws), and an unreadable file refused in one
line and left as it was."""

import json
from pathlib import Path

import pytest
from benchmarks.results_file import INDENT, load_results, load_saved_results, save_results


def test_saved_results_load_back_at_the_stored_indent(tmp_path: Path) -> None:
    results = {"mnist": {"mnist-paper": {"1": [{"minutes": 2.0, "steps": 3310}]}}}
    path = tmp_path / "results" / "grid.json"   # the folder is created
    save_results(results, path)
    assert path.read_text(encoding="utf-8") == json.dumps(results, indent=INDENT) + "\n"
    assert load_results(path) == results
    save_results(results, path, indent=2)
    assert path.read_text(encoding="utf-8") == json.dumps(results, indent=2) + "\n"


def test_no_file_yet_is_an_empty_set_of_results(tmp_path: Path) -> None:
    assert load_results(tmp_path / "grid.json") == {}


def test_an_option_that_only_redraws_needs_the_file_and_says_so_in_one_line(
        tmp_path: Path) -> None:
    path = tmp_path / "table1.json"
    with pytest.raises(SystemExit) as stop:
        load_saved_results(path, "--render")
    assert str(stop.value) == (f"error: --render: {path} not found; run the benchmark without "
                               "--render first")
    save_results({"parzen": {}}, path)
    assert load_saved_results(path, "--render") == {"parzen": {}}


@pytest.mark.parametrize(("text", "message"), [
    ('{"mnist": {"mnist-paper": [', "is not valid JSON"),   # a write cut short by hand or disk
    ("[1, 2]", "holds an array, not the object of results"),
    ("null", "holds null, not the object of results"),
    (b"\xff\xfe{}", "is not valid JSON"),                    # not UTF-8
])
def test_an_unreadable_file_is_a_one_line_error_and_stays_as_it_was(
        tmp_path: Path, text: str | bytes, message: str) -> None:
    path = tmp_path / "grid.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(SystemExit) as stop:
        load_results(path)
    assert str(stop.value).startswith(f"error: {path} {message}")
    assert "\n" not in str(stop.value)
    assert path.read_bytes() == before
