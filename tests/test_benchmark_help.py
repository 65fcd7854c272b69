"""Every benchmark script's --help describes it with its docstring's whole first paragraph, not
the paragraph's first line, which ends mid-sentence in most of them."""

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(path.stem for path in BENCHMARKS.glob("*.py")
                 if "argparse.ArgumentParser(" in path.read_text(encoding="utf-8"))


def test_the_scripts_are_found():
    assert {"rejection", "temperature", "variants"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_shows_the_first_paragraph_whole(script, monkeypatch, capsys):
    module = importlib.import_module(f"benchmarks.{script}")
    monkeypatch.setattr(sys, "argv", [f"{script}.py", "--help"])
    with pytest.raises(SystemExit) as exit_:
        module.main()
    assert exit_.value.code == 0
    # argparse rewraps the text and may break a line at a hyphen, so compare without whitespace.
    shown = "".join(capsys.readouterr().out.split())
    paragraph = "".join(module.__doc__.split("\n\n")[0].split())
    assert paragraph in shown
