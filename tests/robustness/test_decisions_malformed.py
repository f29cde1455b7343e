"""Hostile decision files: every bad record is named with its file and line, and nothing is written."""

import json

import pytest
from typer.testing import CliRunner

from weerbaar.cli.main import app
from weerbaar.errors import UnreadableDocument, WeerbaarError
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.review.decisions import (
    MAX_NOTE_CHARS,
    DecisionImportError,
    export_decisions,
    import_decisions,
)
from weerbaar.workspace import Workspace

SHA = "a" * 64


def good(**changes):
    base = {"uid": "u-goed", "measure_id": "2.2", "reviewer": "anna", "relevant": True, "quote_correct": None,
            "about_measure": None, "enough_context": None, "stage": 3, "elements": ["locaties"], "note": None,
            "settles": False, "decided_at": "2026-11-01T10:00:00.000+00:00", "undone_at": None,
            "document_sha256": SHA, "document_path": "brief.pdf", "page_no": 2, "start": 0, "end": 12,
            "text": "Vier punten."}
    return {**base, **changes}


def line(**changes):
    return json.dumps(good(**changes), ensure_ascii=False)


# (raw line, what the message must say): more than eleven kinds of broken record.
MALFORMED = [
    ("{kapot", "geen geldige JSON"),
    ("[1, 2, 3]", "verwacht een object"),
    ('"alleen tekst"', "verwacht een object"),
    (json.dumps({k: v for k, v in good(uid="u1").items() if k != "reviewer"}), "veld 'reviewer' ontbreekt"),
    (line(uid="u2", relevant="yes"), "veld 'relevant' moet true of false zijn"),
    (line(uid="u3", relevant=1), "veld 'relevant' moet true of false zijn"),
    (line(uid="u4", relevant=None), "veld 'relevant' ontbreekt"),
    (line(uid="u5", stage=99), "veld 'stage' is 99; toegestaan is 0 tot en met 4"),
    (line(uid="u6", stage="3"), "veld 'stage' moet een geheel getal zijn"),
    (line(uid="u7", stage=True), "veld 'stage' moet een geheel getal zijn"),
    (line(uid="u8", stage=2.5), "veld 'stage' moet een geheel getal zijn"),
    (line(uid="u9", measure_id="9.9"), "maatregel '9.9' bestaat niet in het codeboek"),
    (line(uid="u10", measure_id=2.2), "veld 'measure_id' moet tekst zijn"),
    (line(uid="u11", page_no=10**30), "veld 'page_no' is 1000000000000000000000000000000; toegestaan is 1"),
    (line(uid="u12", start=50, end=10), "veld 'end' (10) ligt voor 'start' (50)"),
    (line(uid="u13", document_sha256="abc"), "veld 'document_sha256' is geen SHA-256"),
    (line(uid="u14", elements="locaties"), "veld 'elements' moet een lijst van element-id's zijn"),
    (line(uid="u15", note=12), "veld 'note' moet tekst zijn"),
    (line(uid="u16", reviewer="   "), "veld 'reviewer' is leeg"),
    (line(uid="u17", decided_at="gisteren"), "veld 'decided_at' is geen tijdstip"),
    (line(uid="u18", settles="false"), "veld 'settles' moet true of false zijn"),
    (line(uid="u19", quote_correct="ja"), "veld 'quote_correct' moet true of false zijn"),
    (line(uid="u20", text=""), "veld 'text' ontbreekt of is leeg"),
    (json.dumps(good(uid="u21", note="half \ud800 teken")), "ongeldig teken (een losse surrogaat"),
    (line(uid="u22")[:-1] + ', "stage": NaN}', "NaN is geen geldig getal"),
    ('{"uid": "u23", "n": ' + "[" * 100_000 + "]" * 100_000 + "}", "te diep genest"),
    (line(uid="u24", note="x" * (MAX_NOTE_CHARS + 1)), f"de grens is {MAX_NOTE_CHARS}"),
    (line(uid="u25", text="nul\x00teken"), "NUL-teken"),
]


@pytest.fixture
def kept(ws, tmp_path):
    """A workspace with one decision already in it, to prove an import leaves it alone."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "brief.txt").write_text("De gemeente heeft vier noodsteunpunten aangewezen in de wijken.", "utf-8")
    ingest_paths(ws, [folder])
    pid = ws.conn.execute("SELECT id FROM passages").fetchone()[0]
    return ws.decisions.record(pid, "2.2", "anna", True, stage=2)


def _snapshot(ws):
    return [tuple(r) for r in ws.conn.execute("SELECT * FROM decisions ORDER BY id")]


def test_every_malformed_jsonl_record_is_named_and_nothing_is_written(ws, kept, tmp_path):
    path = tmp_path / "vijandig.jsonl"
    body = [line(uid="u-eerst-goed")] + [raw for raw, _ in MALFORMED] + [line(uid="u-laatst-goed")]
    data = ("\n".join(body) + "\n").encode("utf-8")
    data += b'{"uid": "bytes", "reviewer": "\xff\xfe kapot"}\n'  # not UTF-8 at all
    path.write_bytes(data)
    before = _snapshot(ws)
    with pytest.raises(DecisionImportError) as info:
        import_decisions(ws, path)
    problems = info.value.problems
    assert len(problems) == len(MALFORMED) + 1
    for number, (_, expected) in enumerate(MALFORMED, 2):  # line 1 is a good record
        assert any(p.startswith(f"vijandig.jsonl, regel {number}: ") and expected in p for p in problems), \
            (number, expected, [p for p in problems if f"regel {number}:" in p])
    assert problems[-1].startswith(f"vijandig.jsonl, regel {len(body) + 1}: geen geldige UTF-8")
    assert _snapshot(ws) == before  # the two good records were not written either: all or nothing
    assert isinstance(info.value, WeerbaarError) and "er is niets ingelezen" in info.value.message


def test_a_uid_that_is_here_with_other_content_is_refused(ws, kept, tmp_path):
    path = tmp_path / "botsing.jsonl"
    clash = good(uid=kept.uid, reviewer="anna", relevant=False, text=kept.text, document_sha256=kept.document_sha256)
    path.write_text(line(uid="nieuw") + "\n" + json.dumps(clash) + "\n", "utf-8")
    with pytest.raises(DecisionImportError) as info:
        import_decisions(ws, path)
    assert info.value.problems == [f"botsing.jsonl, regel 2: beslissing {kept.uid} staat al in deze werkruimte met "
                                   "een andere inhoud (maatregel, beoordelaar, oordeel of passage)."]
    assert [d.uid for d in ws.decisions.all()] == [kept.uid]  # 'nieuw' was rolled back


def test_csv_line_numbers_count_the_lines_inside_quoted_fields(ws, kept, tmp_path):
    header, row, *_ = _csv_export(ws, kept, tmp_path)
    multi = row.replace(kept.uid, "meer-regels").replace(";2;;;0;", ';2;;"een\r\ntwee\r\ndrie\r\nvier";0;', 1)
    assert multi != row.replace(kept.uid, "meer-regels")  # stage 2, no elements, the note, settles 0
    bad = row.replace(kept.uid, "fout").replace(";anna;1;", ";anna;yes;", 1)
    path = tmp_path / "regels.csv"
    path.write_text("\r\n".join([header, multi, bad]) + "\r\n", encoding="utf-8-sig")
    with pytest.raises(DecisionImportError) as info:  # header 1, the note spans lines 2-5, the bad record is on 6
        import_decisions(ws, path)
    assert [p.split(":")[0] for p in info.value.problems] == ["regels.csv, regel 6"]


def test_csv_booleans_may_be_spelled_ja_nee_or_waar_onwaar(ws, kept, tmp_path):
    header, row, *_ = _csv_export(ws, kept, tmp_path)
    assert ";anna;1;" in row  # the export's own spelling
    path = tmp_path / "met-hand.csv"
    edited = [row.replace(kept.uid, f"hand-{i}").replace(";anna;1;", f";anna;{word};", 1)
              for i, word in enumerate(["ja", "NEE", "WAAR", "onwaar", "0"])]
    path.write_text("\r\n".join([header, *edited]) + "\r\n", encoding="utf-8-sig")
    assert tuple(import_decisions(ws, path)) == (5, 0, 0)
    relevant = {d.uid: d.relevant for d in ws.decisions.all() if d.uid.startswith("hand-")}
    assert relevant == {"hand-0": True, "hand-1": False, "hand-2": True, "hand-3": False, "hand-4": False}


def test_a_bom_crlf_and_blank_lines_are_fine_and_an_empty_file_adds_nothing(ws, tmp_path):
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line(uid="a").encode() + b"\r\n\r\n" + line(uid="b").encode() + b"\r\n")
    assert tuple(import_decisions(ws, path)) == (2, 0, 2)
    empty = tmp_path / "leeg.jsonl"
    empty.write_bytes(b"")
    assert tuple(import_decisions(ws, empty)) == (0, 0, 0)


def _csv_export(ws, kept, tmp_path):
    path = tmp_path / "b.csv"
    export_decisions(ws, path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return fh.read().split("\r\n")


@pytest.mark.parametrize("change, expected", [
    (lambda row: row.replace(";anna;1;", ";anna;yes;", 1), "veld 'relevant' moet 1 of 0 (of ja of nee) zijn, niet 'yes'"),
    (lambda row: row.replace(";anna;1;", ";anna;misschien;", 1), "veld 'relevant' moet 1 of 0"),
    (lambda row: row.replace(";2;", ";99;", 1), "veld 'stage' is 99; toegestaan is 0 tot en met 4"),
    (lambda row: row.replace(";2;", ";twee;", 1), "veld 'stage' moet een geheel getal zijn"),
    (lambda row: row.replace(";2.2;", ";7.7;", 1), "maatregel '7.7' bestaat niet in het codeboek"),
    (lambda row: row + ";extra", "1 kolom(men) te veel"),
    (lambda row: row.split(";", 3)[0] + ";2.2", "te weinig kolommen"),
])
def test_every_malformed_csv_record_is_named_and_nothing_is_written(ws, kept, tmp_path, change, expected):
    header, row, *_ = _csv_export(ws, kept, tmp_path)
    other = good(uid="ander")  # a good second record after the bad one: it must not be written either
    path = tmp_path / "vijandig.csv"
    path.write_text("\r\n".join([header, change(row.replace(kept.uid, "gewijzigd")), row]) + "\r\n",
                    encoding="utf-8-sig")
    before = _snapshot(ws)
    with pytest.raises(DecisionImportError) as info:
        import_decisions(ws, path)
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("vijandig.csv, regel 2: ")
    assert expected in info.value.problems[0], info.value.problems
    assert _snapshot(ws) == before and other  # nothing written


def test_csv_without_the_export_columns_a_binary_csv_and_an_oversized_field(ws, kept, tmp_path):
    headless = tmp_path / "geen-kop.csv"
    headless.write_text("naam;oordeel\nanna;ja\n", "utf-8")
    with pytest.raises(DecisionImportError, match="geen-kop.csv, regel 1: kolom\\(men\\) ontbreken: uid, measure_id"):
        import_decisions(ws, headless)
    binary = tmp_path / "binair.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(UnreadableDocument, match="binair.csv: Dit lijkt een binair bestand"):
        import_decisions(ws, binary)
    header, row, *_ = _csv_export(ws, kept, tmp_path)
    huge = tmp_path / "reus.csv"
    huge.write_text(header + "\r\n" + row.replace(";2;;;0;", ';2;;"' + "x" * (MAX_NOTE_CHARS + 100) + '";0;', 1)
                    + "\r\n",
                    encoding="utf-8-sig")
    with pytest.raises(DecisionImportError) as info:
        import_decisions(ws, huge)
    assert info.value.problems == [f"reus.csv, regel 2: een veld is langer dan {MAX_NOTE_CHARS} tekens, de grens "
                                   "van een notitie; de rest van het bestand is niet gelezen."]
    assert len(ws.decisions.all()) == 1


def test_cli_lists_every_bad_line_without_a_traceback(ws, kept, tmp_path):
    path = tmp_path / "[kapot].jsonl"  # brackets in the name: printed as they are, not as markup
    path.write_text("\n".join([line(uid="x1", relevant="yes"), line(uid="x2"), line(uid="x3", stage=99)]) + "\n",
                    "utf-8")
    result = CliRunner().invoke(app, ["beslissingen", "importeer", str(path), "-w", str(ws.folder)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "[kapot].jsonl: 2 fout(en) gevonden; er is niets ingelezen." in result.stderr
    assert "[kapot].jsonl, regel 1: veld 'relevant' moet true of false zijn" in result.stderr
    assert "[kapot].jsonl, regel 3: veld 'stage' is 99" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(ws.decisions.all()) == 1
    with Workspace.open(ws.folder) as again:  # the workspace still opens and holds what it held
        assert [d.uid for d in again.decisions.all()] == [kept.uid]
