"""The decision store: nothing a reviewer decided is lost; agreement and portability."""

import csv
import json

import pytest
from typer.testing import CliRunner

from tests.conftest import PROSE, write_docx
from weerbaar.cli.main import app
from weerbaar.errors import WeerbaarError
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.review.decisions import (
    export_decisions,
    import_decisions,
)
from weerbaar.workspace import Workspace


@pytest.fixture
def doc(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = write_docx(folder / "brief.docx", [[PROSE[0]], [PROSE[1]], [PROSE[2]]])
    ingest_paths(ws, [folder])
    return path


def passage_ids(ws):
    return [r[0] for r in ws.conn.execute("SELECT id FROM passages ORDER BY id")]


def test_a_decision_is_stored_at_once_and_undo_keeps_the_history(ws, doc):
    p1, p2, _ = passage_ids(ws)
    first = ws.decisions.record(p1, "2.2", "anna", True, quote_correct=True, about_measure=True, enough_context=True,
                   stage=3, elements=["locaties"], note="vier locaties")
    ws.decisions.record(p2, "1.1", "anna", False)
    with Workspace.open(ws.folder) as other:  # another connection sees it immediately: it was committed
        assert [d.uid for d in other.decisions.all()] == [first.uid, ws.decisions.all()[1].uid]
    undone = ws.decisions.undo_last("anna")
    assert undone.measure_id == "1.1"
    history = ws.decisions.all()
    assert len(history) == 2 and history[1].undone_at is not None and history[0].undone_at is None
    assert list(ws.decisions.final().values())[0].stage == 3
    assert ws.decisions.undo_last("bert") is None


def test_invalid_decisions_are_refused(ws, doc):
    with pytest.raises(WeerbaarError, match="Fase 7 bestaat niet"):
        ws.decisions.record(passage_ids(ws)[0], "2.2", "anna", True, stage=7)
    with pytest.raises(WeerbaarError, match="Passage 999 bestaat niet"):
        ws.decisions.record(999, "2.2", "anna", True)


def test_decisions_survive_a_changed_file_being_ingested_again(ws, doc):
    p1, p2, p3 = passage_ids(ws)
    kept = ws.decisions.record(p1, "2.2", "anna", True)
    lost_text = ws.decisions.record(p3, "1.1", "anna", True)
    write_docx(doc, [[PROSE[0]], [PROSE[1]], ["Een geheel nieuwe derde pagina over drinkwater en noodwaterpunten."]])
    ingest_paths(ws, [doc.parent])
    by_uid = {d.uid: d for d in ws.decisions.all()}
    new_p1 = ws.conn.execute("SELECT id FROM passages WHERE text = ?", (kept.text,)).fetchone()[0]
    assert new_p1 != p1 and by_uid[kept.uid].passage_id == new_p1  # re-attached by text
    assert by_uid[lost_text.uid].passage_id is None  # its text is gone: kept, with its snapshot
    assert [d.uid for d in ws.decisions.orphaned()] == [lost_text.uid]
    assert ws.decisions.orphaned()[0].text == PROSE[2]


def test_a_decision_on_text_read_before_line_end_hyphens_were_kept_finds_its_passage(ws, tmp_path):
    """Until 2026-12 a hyphen at a PDF's line end was always taken out: a decision made then carries
    "ZuidHolland" where the same document now reads "Zuid-Holland". Re-attaching (a changed file)
    and importing (another reviewer's file) must still find its passage."""
    folder = tmp_path / "docs"
    folder.mkdir()
    hyphenated = "De veiligheidsregio Zuid-Holland Zuid stelt een plan op voor de zero-emissiezone en de noodstroom."
    path = write_docx(folder / "plan.docx", [[hyphenated], [PROSE[1]]])
    ingest_paths(ws, [folder])
    passage = ws.conn.execute("SELECT id FROM passages WHERE text = ?", (hyphenated,)).fetchone()[0]
    decision = ws.decisions.record(passage, "1.1", "anna", True)
    old_text = hyphenated.replace("-", "")  # what the earlier extraction stored
    ws.conn.execute("UPDATE decisions SET text = ? WHERE uid = ?", (old_text, decision.uid))
    exported = tmp_path / "besluiten.jsonl"
    export_decisions(ws, exported)

    write_docx(path, [[hyphenated], [PROSE[1]], [PROSE[2]]])  # the file changes: read again, decisions re-attached
    ingest_paths(ws, [folder])
    again = ws.conn.execute("SELECT id FROM passages WHERE text = ?", (hyphenated,)).fetchone()[0]
    assert again != passage and ws.decisions.all()[0].passage_id == again
    assert ws.decisions.orphaned() == []

    with Workspace.open(tmp_path / "andere", create=True) as other:
        ingest_paths(other, [folder])
        assert import_decisions(other, exported) == (1, 0, 1)  # the first version is not there: waits
        write_docx(path, [[hyphenated], [PROSE[1]]])  # the version the decision was made on comes back
        ingest_paths(other, [folder])
        assert other.decisions.all()[0].passage_id is not None


def test_conflicts_settling_and_kappa(ws, doc):
    p1, p2, p3 = passage_ids(ws)
    for pid, a, b in ((p1, True, True), (p2, False, False), (p3, True, False)):
        ws.decisions.record(pid, "2.2", "anna", a)
        ws.decisions.record(pid, "2.2", "bert", b)
    (conflict,) = ws.decisions.conflicts()
    assert {d.reviewer for d in conflict[1]} == {"anna", "bert"}
    assert len(ws.decisions.final()) == 2  # the conflict is not a label
    (k,) = ws.decisions.agreement()
    assert (k.measure_id, k.reviewer_a, k.reviewer_b, k.n) == ("2.2", "anna", "bert", 3)
    # observed agreement 2/3; expected (2/3·1/3 + 1/3·2/3) = 4/9 → kappa = (2/3 − 4/9) / (1 − 4/9) = 0.4
    assert k.kappa == pytest.approx(0.4)
    ws.decisions.record(p3, "2.2", "carla", False, settles=True)
    assert ws.decisions.conflicts() == [] and len(ws.decisions.final()) == 3
    assert [a.n for a in ws.decisions.agreement() if a.reviewer_b == "bert"] == [3]  # settling decisions are not votes


def test_export_and_import_between_workspaces_jsonl_and_csv(ws, doc, tmp_path):
    p1, p2, _ = passage_ids(ws)
    ws.decisions.record(p1, "2.2", "anna", True, stage=3, elements=["locaties", "functies"], note='met "aanhalingstekens"; en ;')
    ws.decisions.record(p2, "1.1", "anna", False)
    ws.decisions.undo_last("anna")
    jsonl, csvfile = tmp_path / "b.jsonl", tmp_path / "b.csv"
    assert export_decisions(ws, jsonl) == 2 and export_decisions(ws, csvfile) == 2
    with csvfile.open(encoding="utf-8-sig", newline="") as fh:  # what Excel opens: BOM, semicolons
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows[0]["elements"] == "locaties,functies" and rows[0]["note"] == 'met "aanhalingstekens"; en ;'

    for source in (jsonl, csvfile):
        with Workspace.open(tmp_path / f"andere-{source.suffix[1:]}", create=True) as other:
            assert import_decisions(other, source) == (2, 0, 2)  # no passages there yet
            ingest_paths(other, [doc.parent])  # the same document arrives: decisions attach
            attached = {d.measure_id: d for d in other.decisions.all()}
            assert attached["2.2"].passage_id is not None and attached["2.2"].elements == ["locaties", "functies"]
            assert attached["1.1"].undone_at is not None
            assert import_decisions(other, source) == (0, 2, 0)  # importing twice adds nothing


def test_cli_export_import_and_agreement(ws, doc, tmp_path):
    runner = CliRunner()
    p1, _, _ = passage_ids(ws)
    ws.decisions.record(p1, "2.2", "anna", True)
    ws.decisions.record(p1, "2.2", "bert", True)
    out = tmp_path / "uit.jsonl"
    assert runner.invoke(app, ["beslissingen", "exporteer", str(out), "-w", str(ws.folder)]).exit_code == 0
    assert len(out.read_text("utf-8").splitlines()) == 2
    result = runner.invoke(app, ["beslissingen", "overeenstemming", "-w", str(ws.folder), "--json"])
    data = json.loads(result.stdout)
    assert data["open_conflicts"] == 0 and data["agreement"][0]["n"] == 1
    bad = tmp_path / "kapot.jsonl"
    bad.write_text('{"uid": "x"}\n{kapot\n', encoding="utf-8")
    result = runner.invoke(app, ["beslissingen", "importeer", str(bad), "-w", str(ws.folder)])
    assert result.exit_code == 1 and "kapot.jsonl, regel 2: geen geldige JSON" in result.stderr
