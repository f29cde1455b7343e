"""A codebook stage cue that backtracks without end must not hang `classificeer` or `analyseer`:
it is refused when the codebook is loaded, with a Dutch message naming the cue and its line, and
a cue that still runs out of time on a passage stops the run with that message."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml
from typer.testing import CliRunner

from tests.robustness.guards import finishes
from weerbaar.classify.stage import StageDetector
from weerbaar.cli.main import app
from weerbaar.codebook import load_codebook
from weerbaar.codebook.model import Codebook
from weerbaar.codebook.patterns import CuePattern, check_cue
from weerbaar.errors import CodebookError

runner = CliRunner()
BUILTIN = resources.files("weerbaar.codebook.data").joinpath("vng-handreiking-2025.yaml").read_text("utf-8")
ANCHOR = "  - \\bhet kabinet\\b\n"
CATASTROPHIC = "(a|aa)+b"


def with_cue(cue: str) -> str:
    assert ANCHOR in BUILTIN
    return BUILTIN.replace(ANCHOR, ANCHOR + f"  - {cue}\n", 1)


@pytest.mark.parametrize("cue", [CATASTROPHIC, "(a+)+b"])
def test_a_catastrophic_cue_is_refused_at_load_naming_cue_and_line(tmp_path, cue):
    path = tmp_path / "mijn.yaml"
    path.write_text(with_cue(cue), "utf-8")
    line = BUILTIN.splitlines().index(ANCHOR.rstrip("\n")) + 2
    with pytest.raises(CodebookError) as caught:
        finishes(lambda: load_codebook(path))
    assert caught.value.message == (
        f"mijn.yaml, regel {line}: Stadiumcue '{cue}' kost te veel rekentijd "
        "(een patroon dat eindeloos terugzoekt).")
    assert "Vereenvoudig het patroon" in caught.value.hint


def test_an_ordinary_complex_cue_is_accepted_and_fast(tmp_path):
    path = tmp_path / "mijn.yaml"
    path.write_text(with_cue(r"\b(we|wij) (gaan|zullen)( \w+){0,3} oefenen\b"), "utf-8")
    detector = StageDetector(load_codebook(path))
    result = finishes(lambda: detector.detect("a" * 50_000 + " het kabinet vraagt"))
    assert result.cue == "het kabinet"


def test_a_cue_that_runs_out_of_time_on_a_passage_stops_with_its_name(monkeypatch):
    monkeypatch.setattr("weerbaar.codebook.patterns.MATCH_TIMEOUT", 0.05)
    data = yaml.safe_load(with_cue(CATASTROPHIC))
    book = Codebook.model_validate(data)  # bypasses the load-time screen, as a changed engine might
    detector = StageDetector(book)
    with pytest.raises(CodebookError) as caught:
        finishes(lambda: detector.detect("a" * 40))
    assert caught.value.message.startswith(f"Stadiumcue '{CATASTROPHIC}' kost te veel rekentijd")


def test_cue_pattern_matches_like_the_cues_did():
    pattern = CuePattern([r"\bwe gaan\b", r"\boefen(en|ing)\b"])
    assert [m.group(0) for m in pattern.finditer("Wij OEFENEN en we gaan verder; de oefening.")] == [
        "OEFENEN", "we gaan", "oefening"]
    with pytest.raises(CodebookError, match="geen geldige reguliere expressie"):
        check_cue("(open")


@pytest.mark.parametrize("command", [["classificeer", "IN"], ["analyseer"]])
def test_commands_refuse_the_codebook_with_a_dutch_message(tmp_path, command):
    book = tmp_path / "mijn.yaml"
    book.write_text(with_cue(CATASTROPHIC), "utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 1, "text": "a" * 40}) + "\n", "utf-8")
    args = [str(source) if a == "IN" else a for a in command]
    result = finishes(lambda: runner.invoke(
        app, [*args, "--codeboek", str(book), "--werkruimte", str(tmp_path / "ws")], catch_exceptions=False))
    assert result.exit_code == 1
    assert f"Stadiumcue '{CATASTROPHIC}' kost te veel rekentijd" in result.output
    assert "Traceback" not in result.output
