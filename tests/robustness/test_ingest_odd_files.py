"""One odd file never stops an ingest: it is skipped with a Dutch reason naming it, the rest of
the folder is read, and the workspace stays intact — also on every rerun."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.robustness import ingest_corpus as corpus
from weerbaar.cli.main import app
from weerbaar.ingest.pipeline import display_path, ingest_paths
from weerbaar.workspace.documents import skipped_files

runner = CliRunner()


def integrity(ws) -> str:
    return ws.conn.execute("PRAGMA integrity_check").fetchone()[0]


def outcome_for(report, path: Path):
    matches = [o for o in report.outcomes if o.path == path]
    assert matches, f"no outcome for {display_path(path)}"
    return matches[0]


@pytest.fixture
def odd_folder(tmp_path):
    folder = tmp_path / "gemeente-testdorp"
    folder.mkdir()
    corpus.good_text(folder)
    odd = {
        "bestandsnaam": corpus.non_utf8_name(folder),
        "kapot": corpus.dangling_link(folder),
        "lus": corpus.link_loop(folder)[0],
        "pijp": corpus.fifo(folder),
    }
    (folder / "sub").mkdir()
    corpus.good_text(folder / "sub", "ook-goed.txt")
    (folder / "kring").symlink_to(".")  # a folder link to itself
    odd["maplink"] = folder / "kring"
    return folder, odd


def test_odd_files_are_skipped_with_a_reason_and_the_rest_is_read(ws, odd_folder):
    folder, odd = odd_folder
    for _attempt in range(2):  # the same on a rerun: nothing stops the second run either
        report = ingest_paths(ws, [folder])
        read = {o.path.name for o in report.outcomes if o.status in ("nieuw", "ongewijzigd")}
        assert read == {"goed.txt", "ook-goed.txt"}
        name = outcome_for(report, odd["bestandsnaam"])
        assert (name.status, name.reason) == ("overgeslagen", "bestandsnaam")
        assert "geen geldige UTF-8" in name.message and "convmv" in name.hint
        assert name.display.endswith("caf\\xe9-notitie.txt")
        broken = outcome_for(report, odd["kapot"])
        assert broken.reason == "ontoegankelijk"
        assert broken.message == "Het bestand is een snelkoppeling naar iets dat niet bestaat."
        loop = outcome_for(report, odd["lus"])
        assert loop.message == "Het bestand is een snelkoppeling die naar zichzelf terugverwijst."
        pipe = outcome_for(report, odd["pijp"])  # never opened: opening a FIFO would block for ever
        assert pipe.message.startswith("Dit is geen gewoon bestand")
        link = outcome_for(report, odd["maplink"])  # not followed, and not passed over in silence
        assert link.message == "Dit is een snelkoppeling naar een map; die wordt niet gevolgd."
    stored = {Path(r["path"]).name: r["reason"] for r in skipped_files(ws)}
    assert stored["caf\\xe9-notitie.txt"] == "bestandsnaam"
    assert stored["kapot.txt"] == stored["lus-a.txt"] == stored["pijp.txt"] == "ontoegankelijk"
    assert integrity(ws) == "ok"


def test_a_file_that_cannot_be_opened_is_skipped(ws, tmp_path, monkeypatch):
    """Without read permission. Tests run as root, who may read anything, so opening is made to
    fail the way it fails for a user without permission."""
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    locked = corpus.good_text(folder, "geheim.txt")
    locked.write_text("Een ander document over de continuiteit van de bedrijfsvoering en de crisisorganisatie.")
    real_open = Path.open

    def guarded_open(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    report = ingest_paths(ws, [folder])
    outcome = outcome_for(report, locked)
    assert (outcome.reason, outcome.message) == ("ontoegankelijk", "Het bestand mag niet worden gelezen (geen leesrechten).")
    assert outcome_for(report, folder / "goed.txt").status == "nieuw"
    assert integrity(ws) == "ok"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read a file without read permission")
def test_a_file_without_read_permission_is_skipped(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    locked = corpus.good_text(folder, "geheim.txt")
    locked.chmod(0)
    report = ingest_paths(ws, [folder])
    assert outcome_for(report, locked).message == "Het bestand mag niet worden gelezen (geen leesrechten)."


def test_a_folder_that_cannot_be_listed_is_reported_not_passed_over(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    corpus.too_long_folder(folder)
    report = ingest_paths(ws, [folder])
    assert outcome_for(report, folder / "goed.txt").status == "nieuw"
    unlisted = [o for o in report.skipped if o.message.startswith("De map")]
    assert len(unlisted) == 1
    assert unlisted[0].reason == "ontoegankelijk"
    assert unlisted[0].message == "De map heeft een te lang pad om te openen. De bestanden erin zijn niet ingelezen."
    assert integrity(ws) == "ok"


def test_a_folder_without_permission_is_reported(ws, tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    (folder / "dicht").mkdir(parents=True)
    corpus.good_text(folder)
    corpus.good_text(folder / "dicht", "binnen.txt")
    real_scandir = os.scandir

    def guarded_scandir(path="."):
        if os.fspath(path).endswith("dicht"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded_scandir)
    report = ingest_paths(ws, [folder])
    (unlisted,) = [o for o in report.skipped if o.path.name == "dicht"]
    assert unlisted.message == "De map mag niet worden gelezen (geen leesrechten). De bestanden erin zijn niet ingelezen."
    assert [o.path.name for o in report.outcomes if o.status == "nieuw"] == ["goed.txt"]


def test_a_file_removed_during_the_run_is_reported_as_such(ws, tmp_path):
    from weerbaar.ingest.pipeline import collect_files

    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    gone = corpus.good_text(folder, "weg.txt")
    files = collect_files([folder], ws.folder)
    gone.unlink()
    report = ingest_paths(ws, [folder], files=files, problems=[])
    assert outcome_for(report, gone).message == "Het bestand bestaat niet meer (verwijderd tijdens het inlezen?)."
    assert outcome_for(report, folder / "goed.txt").status == "nieuw"


def test_utf16_without_byte_order_mark_is_read_as_text(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    paths = [corpus.utf16_without_bom(folder, "le"), corpus.utf16_without_bom(folder, "be")]
    report = ingest_paths(ws, [folder])
    for path in paths:
        assert outcome_for(report, path).status == "nieuw", outcome_for(report, path).message
    texts = [r[0] for r in ws.conn.execute("SELECT text FROM pages")]
    assert len(texts) == 2 and all("Één crisisplan, geëvalueerd." in t for t in texts)


@pytest.mark.parametrize("depth", [1000, 20000])
def test_deeply_nested_html_is_read(ws, tmp_path, depth):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = corpus.deep_html(folder, depth)
    report = ingest_paths(ws, [folder])
    assert outcome_for(report, path).status == "nieuw"
    (text,) = [r[0] for r in ws.conn.execute("SELECT text FROM pages")]
    assert text.startswith("De gemeente Testdorp heeft in 2024 vier noodsteunpunten")


def test_cli_names_odd_files_and_json_fails_when_nothing_could_be_read(tmp_path, odd_folder):
    folder, odd = odd_folder
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["ingest", str(folder), "--werkruimte", str(ws)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for shown in ("caf\\xe9-notitie.txt", "kapot.txt", "lus-a.txt", "pijp.txt"):
        assert shown in result.output

    nothing = tmp_path / "niets"
    nothing.mkdir()
    corpus.dangling_link(nothing)
    corpus.fifo(nothing)
    result = runner.invoke(app, ["ingest", str(nothing), "--werkruimte", str(ws), "--json"], catch_exceptions=False)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["counts"]["skipped"] == 2 and data["counts"]["new"] == 0
    assert {Path(f["file"]).name: f["reason"] for f in data["files"]} == {
        "kapot.txt": "ontoegankelijk", "pijp.txt": "ontoegankelijk"}
    result = runner.invoke(app, ["ingest", str(nothing), "--werkruimte", str(ws)], catch_exceptions=False)
    assert result.exit_code == 1 and "Geen enkel bestand kon worden ingelezen." in result.output
