"""ganforge.files: JSON written at the asked indent, and a failed write that leaves the old file
whole with no temporary file beside it."""

import json
from pathlib import Path

import pytest

from ganforge.files import write_json


def test_write_json_keeps_the_asked_indent_and_ends_with_a_newline(tmp_path: Path) -> None:
    data = {"mnist": {"seed": [1, 2]}}
    path = tmp_path / "results" / "grid.json"   # the folder is created
    write_json(data, path, indent=1)
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=1) + "\n"
    write_json(data, path)
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=2) + "\n"


def test_a_write_that_fails_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "grid.json"
    write_json({"hours of": "results"}, path)
    with pytest.raises(TypeError):
        write_json({"cannot be saved": object()}, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"hours of": "results"}
    assert [p.name for p in tmp_path.iterdir()] == ["grid.json"]


def test_a_write_cut_short_before_the_rename_leaves_the_previous_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "grid.json"
    write_json({"hours of": "results"}, path)

    def disk_full(source: object, target: object) -> None:   # the new text is written, not moved
        raise OSError(28, "No space left on device", str(source))

    monkeypatch.setattr("ganforge.files.os.replace", disk_full)
    with pytest.raises(OSError) as error:
        write_json({"new": "results"}, path)
    assert error.value.filename == str(path)   # the user's file is named, not the temporary
    assert json.loads(path.read_text(encoding="utf-8")) == {"hours of": "results"}
    assert [p.name for p in tmp_path.iterdir()] == ["grid.json"]
