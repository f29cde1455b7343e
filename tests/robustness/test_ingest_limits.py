"""Bounded resources at ingest: zip bombs, text without line breaks, documents with endless
passages. Each is refused or cut up with a Dutch reason, the rest is read, memory stays bounded
(a sanity bound with tracemalloc, not a benchmark; see bench/ for figures)."""

from __future__ import annotations

import re
import tracemalloc

import pytest
from typer.testing import CliRunner

from tests.robustness import ingest_corpus as corpus
from tests.robustness.guards import ends_in_a_process
from weerbaar.cli.main import app
from weerbaar.ingest.metadata import MAX_TITLE_CHARS
from weerbaar.ingest.passages import Span, split_passages
from weerbaar.ingest.pipeline import IngestOptions, ingest_paths
from weerbaar.ingest.pseudopages import page_label, split_pseudo_pages

runner = CliRunner()
MB = 1024 * 1024


def peak_during(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("make", [corpus.docx_bomb, corpus.odt_bomb], ids=["docx", "odt"])
def test_zip_bomb_is_refused_before_parsing(ws, tmp_path, make):
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    bomb = make(folder, 120)  # 120 MB of XML in a file of about 150 KB
    assert bomb.stat().st_size < 1 * MB
    report, peak = peak_during(lambda: ingest_paths(ws, [folder]))
    (outcome,) = [o for o in report.outcomes if o.path == bomb]
    assert outcome.reason == "te-groot"
    assert re.fullmatch(r"Uitgepakt is het bestand 12\d MB \(een 'zip-bom'\?\); de grens is 100 MB\.", outcome.message)
    assert "--max-uitgepakt-mb" in outcome.hint
    assert [o.status for o in report.outcomes if o.path.name == "goed.txt"] == ["nieuw"]
    assert peak < 40 * MB  # it is counted while streaming, never held whole
    assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_unpacked_limit_is_an_option_and_counts_what_really_unpacks(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    bomb = corpus.docx_bomb(folder, 3)
    report = ingest_paths(ws, [folder], IngestOptions(max_unpacked_mb=2))
    assert report.outcomes[0].reason == "te-groot"
    report = ingest_paths(ws, [folder], IngestOptions(max_unpacked_mb=5))
    assert report.outcomes[0].status == "nieuw"  # a big but honest file is read when allowed
    liar = corpus.lying_zip_sizes(bomb.rename(folder / "liegt.docx"))
    report = ingest_paths(ws, [liar], IngestOptions(max_unpacked_mb=1))
    # Its headers claim 100 bytes per part: counting what really unpacks catches it.
    assert report.outcomes[0].status == "overgeslagen"
    assert report.outcomes[0].reason in ("te-groot", "beschadigd")


def test_text_without_line_breaks_becomes_pseudo_pages_with_a_short_title(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = corpus.one_line_text(folder, 1_000_000)
    report, peak = peak_during(lambda: ingest_paths(ws, [folder], IngestOptions(max_page_chars=10_000)))
    assert report.outcomes[0].status == "nieuw"
    doc = ws.conn.execute("SELECT * FROM documents").fetchone()
    assert doc["paginated"] == 0 and doc["page_count"] >= 100
    assert 0 < len(doc["title"]) <= MAX_TITLE_CHARS and doc["title"].endswith("…")
    whole = path.read_text("utf-8")
    for page in ws.conn.execute("SELECT page_no, text, text_offset FROM pages"):
        assert 0 < len(page["text"]) <= 10_000
        assert whole[page["text_offset"] : page["text_offset"] + len(page["text"])] == page["text"]
    pages = {r[0]: r[1] for r in ws.conn.execute("SELECT page_no, text FROM pages")}
    for p in ws.conn.execute("SELECT page_no, start, end, text FROM passages"):
        assert pages[p["page_no"]][p["start"] : p["end"]] == p["text"]
    assert peak < 400 * MB  # the old single page with its title carried per passage took gigabytes
    assert page_label(3, paginated=False, page_count=doc["page_count"]) == "tekstdeel 3"


def test_pseudo_pages_keep_the_passages_of_the_whole_text():
    """Cuts fall between passages, so a passage known by its offsets in the whole text (an
    evaluation set, a decision made before) is found again in its part."""
    text = "\n\n".join(f"Alinea {i}. " + "Dit is een zin over de crisisorganisatie. " * (7 * (i % 5) + 1)
                       for i in range(60))
    whole = split_passages(text)
    parts = split_pseudo_pages(text, 5000)
    assert len(parts) > 5 and all(len(p.text) <= 5000 for p in parts)
    assert all(text[p.offset : p.offset + len(p.text)] == p.text for p in parts)
    shifted = [Span(s.start + p.offset, s.end + p.offset) for p in parts for s in p.passages]
    assert shifted == whole
    assert "".join(text.split()) == "".join("".join(p.text for p in parts).split())


@pytest.mark.parametrize("mark", [".", "?", "…"])
def test_a_page_with_300_000_full_stops_in_a_row_is_split_without_hanging(mark):
    # Every position of such a run used to be tried again as a sentence end: 20,000 took 9 s, these
    # half an hour (a garbled text layer, dot leaders without spaces). Now a fraction of a second.
    sentence = "De gemeente heeft vijf noodsteunpunten aangewezen en ingericht in de wijken."
    text = sentence + " Inhoud" + mark * 300_000 + "12"  # a dot leader into a page number, no space

    def split():
        spans = split_passages(text)
        assert text[spans[0].start : spans[0].end].startswith(sentence)

    ends_in_a_process(split)


def test_text_without_passages_is_still_cut_into_bounded_parts():
    text = "12.345 " * 5000 + "\n" + "Ø" * 20000  # numbers and one endless token: no passages at all
    parts = split_pseudo_pages(text, 4000)
    assert all(0 < len(p.text) <= 4000 for p in parts)
    assert "".join(text.split()) == "".join("".join(p.text for p in parts).split())


def test_short_unpaginated_text_is_one_part_and_real_pages_stay_pages(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    (folder / "met-paginas.txt").write_text("Pagina een over de crisisorganisatie van de gemeente.\f"
                                            "Pagina twee over de noodsteunpunten in de wijken.", "utf-8")
    ingest_paths(ws, [folder])
    rows = ws.conn.execute(
        "SELECT d.filename, d.paginated, p.page_no, p.text_offset FROM pages p JOIN documents d ON d.id = p.document_id "
        "ORDER BY d.filename, p.page_no").fetchall()
    assert [tuple(r) for r in rows] == [("goed.txt", 0, 1, 0), ("met-paginas.txt", 1, 1, None),
                                        ("met-paginas.txt", 1, 2, None)]
    assert page_label(1, paginated=False, page_count=1) == ""
    assert page_label(2, paginated=True) == "p. 2"


def test_a_document_with_too_many_passages_is_skipped_whole(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "eindeloos.txt").write_text("\n\n".join(
        f"Alinea {i}: de gemeente oefent de crisisorganisatie met de veiligheidsregio en de partners. " * 3
        for i in range(200)), "utf-8")
    report = ingest_paths(ws, [folder], IngestOptions(max_passages=50))
    assert report.outcomes[0].reason == "te-groot"
    assert report.outcomes[0].message == "Het document geeft meer dan 50 passages."
    assert ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 0  # nothing half-written
    assert ingest_paths(ws, [folder]).outcomes[0].status == "nieuw"


def test_cli_limits_are_options(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.docx_bomb(folder, 3)
    corpus.good_text(folder)
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["ingest", str(folder), "-w", str(ws), "--max-uitgepakt-mb", "2"], catch_exceptions=False)
    assert result.exit_code == 0 and "bom.docx" in result.output and "zip-bom" in result.output
    result = runner.invoke(app, ["ingest", str(folder), "-w", str(ws), "--max-mb", "0.0001"], catch_exceptions=False)
    assert result.exit_code == 1 and "de grens is 0.0001 MB" in result.output
    result = runner.invoke(app, ["ingest", str(folder), "-w", str(ws), "--max-tekstdeel", "10"], catch_exceptions=False)
    assert result.exit_code == 2 and "minstens 3000" in result.output


def test_an_older_workspace_gets_its_long_titles_capped(tmp_path):
    """Workspaces that already hold a megabyte title (the Helmond bundles) are repaired by migration."""
    import sqlite3

    from weerbaar.workspace import Workspace
    from weerbaar.workspace.migrations import MIGRATIONS

    folder = tmp_path / "oud"
    folder.mkdir()
    conn = sqlite3.connect(folder / "weerbaar.sqlite", isolation_level=None)
    for number, step in enumerate(MIGRATIONS[:4], 1):
        step(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("""INSERT INTO documents (path, filename, sha256, size_bytes, format, title, organisation_type,
                    doc_type, page_count, paginated, metadata_source, source_info, notes, ingested_at)
                    VALUES ('/a.txt', 'a.txt', 'x', 1, 'txt', ?, 'overig', 'overig', 1, 0, '{}', '{}', '[]', 'nu')""",
                 ("titel " * 200_000,))
    conn.execute("INSERT INTO pages (document_id, page_no, text) VALUES (1, 1, 'tekst')")
    conn.close()
    with Workspace.open(folder) as ws:
        title = ws.conn.execute("SELECT title FROM documents").fetchone()[0]
        assert len(title) == MAX_TITLE_CHARS and title.endswith("…")
        assert ws.conn.execute("SELECT text_offset FROM pages").fetchone()[0] == 0
