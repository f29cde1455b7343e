"""Decisions move between workspaces exactly: line separators, long notes, formula-like text,
undo and settling made after a transfer; importing twice adds nothing."""

import csv

import pytest

from weerbaar.csvfile import raise_field_limit
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.review.decisions import (
    EXPORT_FIELDS,
    MAX_NOTE_CHARS,
    export_decisions,
    import_decisions,
)
from weerbaar.workspace import Workspace

SEPARATORS = "\u2028\u2029\x85"
# A passage that carries every Unicode line separator str.splitlines() would break on.
ODD_TEXT = ("De gemeente Testdorp heeft vier noodsteunpunten aangewezen.\u2028Elk punt heeft noodstroom"
            "\u2029en drinkwater voor drie dagen.\x85Inwoners kunnen er terecht bij een langdurige stroomstoring.")
FORMULAS = ["=HYPERLINK(\"http://127.0.0.1/\",\"klik\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
            "'=al met apostrof", "''-twee apostroffen", "'gewoon citaat"]


def _comparable(decisions):
    """Everything a decision says, apart from where it lives here (row id, passage, document metadata)."""
    return [{k: getattr(d, k) for k in EXPORT_FIELDS} for d in decisions]


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "brief.txt").write_text(ODD_TEXT + "\f" + "Het college heeft het continuiteitsplan vastgesteld "
                                      "voor alle kritieke processen.", encoding="utf-8")
    with Workspace.open(tmp_path / "bron", create=True) as ws:
        ingest_paths(ws, [folder])
        yield ws, folder


def _passage(ws, fragment):
    return ws.conn.execute("SELECT id FROM passages WHERE text LIKE ?", (f"%{fragment}%",)).fetchone()[0]


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_line_separators_long_notes_and_formulas_survive_export_and_import(source, tmp_path, suffix):
    ws, folder = source
    odd = _passage(ws, "noodsteunpunten")
    assert all(c in ws.conn.execute("SELECT text FROM passages WHERE id = ?", (odd,)).fetchone()[0] for c in SEPARATORS)
    plain = _passage(ws, "continuiteitsplan")
    ws.decisions.record(odd, "2.2", "anna", True, stage=3, elements=["locaties"], note=f"regel een{SEPARATORS}regel twee")
    long_note = ('lang; met "aanhalingstekens";\r\nen regels\n' * 6000)[:200_000]  # past the csv module's 128 KB
    ws.decisions.record(plain, "1.1", "anna", False, note=long_note)
    for i, text in enumerate(FORMULAS):
        ws.decisions.record(plain if i % 2 else odd, "1.1", text if i % 3 == 0 else "bert", i % 2 == 0, note=text)
    ws.decisions.undo_last("bert")
    target = tmp_path / f"beslissingen.{suffix}"
    assert export_decisions(ws, target) == 2 + len(FORMULAS)

    if suffix == "jsonl":  # one record per "\n", and no raw separator left to split on
        data = target.read_bytes()
        assert data.count(b"\n") == 2 + len(FORMULAS)
        assert not any(c.encode() in data for c in SEPARATORS)
    else:  # what a spreadsheet opens: no cell that starts like a formula
        raise_field_limit(MAX_NOTE_CHARS)
        with target.open(encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh, delimiter=";") for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert "'=HYPERLINK(\"http://127.0.0.1/\",\"klik\")" in cells

    with Workspace.open(tmp_path / "doel", create=True) as other:
        assert tuple(import_decisions(other, target)) == (2 + len(FORMULAS), 0, 2 + len(FORMULAS))
        assert _comparable(other.decisions.all()) == _comparable(ws.decisions.all())  # exact, field by field
        ingest_paths(other, [folder])  # the documents arrive: every decision finds its passage by text
        assert all(d.passage_id is not None for d in other.decisions.all())
        assert tuple(import_decisions(other, target)) == (0, 2 + len(FORMULAS), 0)  # twice adds nothing


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_undo_and_settling_after_a_transfer_are_carried_on_reimport(source, tmp_path, suffix):
    ws, folder = source
    odd, plain = _passage(ws, "noodsteunpunten"), _passage(ws, "continuiteitsplan")
    ws.decisions.record(odd, "2.2", "anna", True)
    ws.decisions.record(odd, "2.2", "bert", False)  # a conflict
    kept = ws.decisions.record(plain, "1.1", "anna", True)
    first = tmp_path / f"eerste.{suffix}"
    export_decisions(ws, first)
    with Workspace.open(tmp_path / "doel", create=True) as other:
        ingest_paths(other, [folder])
        import_decisions(other, first)
        assert len(other.decisions.final()) == 1  # the conflict is open there too

        undone = ws.decisions.undo_last("anna")  # after the transfer: anna takes back her last decision …
        assert undone.uid == kept.uid
        ws.decisions.record(odd, "2.2", "carla", True, settles=True)  # … and carla settles the conflict
        second = tmp_path / f"tweede.{suffix}"
        export_decisions(ws, second)

        result = import_decisions(other, second)
        assert tuple(result) == (1, 3, 0) and result.undone == 1
        by_uid = {d.uid: d for d in other.decisions.all()}
        source_undone = {d.uid: d.undone_at for d in ws.decisions.all()}[kept.uid]
        assert source_undone and by_uid[kept.uid].undone_at == source_undone  # the same moment, not the import's
        labels = other.decisions.final()
        assert [(d.measure_id, d.reviewer, d.relevant, d.settles) for d in labels.values()] == [("2.2", "carla", True, True)]
        assert _comparable(other.decisions.all()) == _comparable(ws.decisions.all())

        again = import_decisions(other, second)  # idempotent: nothing new, no undo twice
        assert tuple(again) == (0, 4, 0) and again.undone == 0
        assert _comparable(other.decisions.all()) == _comparable(ws.decisions.all())


def test_a_note_longer_than_the_apps_own_limit_is_refused_when_recorded(source):
    ws, _ = source
    from weerbaar.errors import WeerbaarError

    with pytest.raises(WeerbaarError, match=f"de grens is {MAX_NOTE_CHARS}"):
        ws.decisions.record(_passage(ws, "noodsteunpunten"), "2.2", "anna", True, note="x" * (MAX_NOTE_CHARS + 1))
    assert ws.decisions.all() == []
