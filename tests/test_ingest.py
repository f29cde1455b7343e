"""Ingest is idempotent, resumable and exact about where every passage comes from."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROSE, write_docx, write_image_pdf, write_odt, write_pdf
from weerbaar.ingest.pipeline import IngestOptions, ingest_paths
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import list_documents, skipped_files


def make_mixed_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_pdf(folder / "begroting-2024.pdf", PROSE)
    write_docx(folder / "brief-2025.docx", [[PROSE[0]], [PROSE[1]]])
    write_odt(folder / "plan-2023.odt", [[PROSE[2]]])
    (folder / "pagina.html").write_text(f"<html><body><main><p>{PROSE[1]}</p></main></body></html>", "utf-8")
    (folder / "memo.md").write_text(f"# Memo\n\n{PROSE[2]}", "utf-8")
    sub = folder / "sub"
    sub.mkdir()
    (sub / "notitie.txt").write_bytes(PROSE[0].encode("cp1252"))
    return folder


def assert_provenance(ws: Workspace) -> int:
    """Every passage is exactly its page's text at its offsets; returns the number checked."""
    pages = {(r[0], r[1]): r[2] for r in ws.conn.execute("SELECT document_id, page_no, text FROM pages")}
    rows = ws.conn.execute("SELECT document_id, page_no, start, end, text FROM passages").fetchall()
    for r in rows:
        assert pages[(r["document_id"], r["page_no"])][r["start"] : r["end"]] == r["text"]
    return len(rows)


def test_every_format_in_a_folder_tree_is_ingested_with_exact_provenance(ws, tmp_path):
    report = ingest_paths(ws, [make_mixed_folder(tmp_path / "docs")])
    assert report.count("nieuw") == 6 and not report.skipped
    assert {d["format"] for d in list_documents(ws)} == {"pdf", "docx", "odt", "html", "txt"}
    assert assert_provenance(ws) == report.passages > 0
    pdf = next(d for d in list_documents(ws) if d["format"] == "pdf")
    pages = ws.conn.execute("SELECT page_no FROM passages WHERE document_id = ?", (pdf["id"],)).fetchall()
    assert {r["page_no"] for r in pages} == {1, 2, 3}


def test_the_same_files_again_change_nothing(ws, tmp_path):
    folder = make_mixed_folder(tmp_path / "docs")
    ingest_paths(ws, [folder])
    before = ws.conn.execute("SELECT count(*), max(id) FROM passages").fetchone()[:]
    report = ingest_paths(ws, [folder])
    assert report.count("ongewijzigd") == 6 and report.count("nieuw") == 0
    assert ws.conn.execute("SELECT count(*), max(id) FROM passages").fetchone()[:] == before


def test_a_changed_file_is_ingested_again_and_replaces_the_old_version(ws, tmp_path):
    folder = make_mixed_folder(tmp_path / "docs")
    ingest_paths(ws, [folder])
    write_pdf(folder / "begroting-2024.pdf", ["Een volledig nieuwe tekst over drinkwater en noodwaterpunten voor iedereen."])
    report = ingest_paths(ws, [folder])
    assert report.count("gewijzigd") == 1 and report.count("ongewijzigd") == 5
    assert len(list_documents(ws)) == 6
    texts = [r[0] for r in ws.conn.execute("SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id "
                                           "WHERE d.filename = 'begroting-2024.pdf'")]
    assert texts == ["Een volledig nieuwe tekst over drinkwater en noodwaterpunten voor iedereen."]
    assert ws.conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0] == \
        ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0]


def test_a_moved_file_keeps_its_passages_and_a_copy_is_reported_as_duplicate(ws, tmp_path):
    folder = make_mixed_folder(tmp_path / "docs")
    ingest_paths(ws, [folder])
    ids = {r[0] for r in ws.conn.execute("SELECT id FROM passages")}
    (folder / "memo.md").rename(folder / "memo-hernoemd.md")
    (folder / "kopie.pdf").write_bytes((folder / "begroting-2024.pdf").read_bytes())
    report = ingest_paths(ws, [folder])
    assert report.count("verplaatst") == 1
    duplicate = report.skipped[0]
    assert duplicate.reason == "dubbel" and duplicate.path.name == "kopie.pdf"
    assert {r[0] for r in ws.conn.execute("SELECT id FROM passages")} == ids


def test_content_that_moved_to_a_new_file_while_its_old_file_changed_is_kept(ws, tmp_path):
    """A swap: the text of a.txt now lives in b.txt (read first: it is the bigger file) and a.txt has
    new text. b.txt is not a copy of what a.txt holds now, so it keeps the stored document."""
    folder = tmp_path / "docs"
    folder.mkdir()
    old_text = " ".join(PROSE) * 3
    (folder / "a.txt").write_text(old_text, "utf-8")
    first = ingest_paths(ws, [folder])
    ids = {r[0] for r in ws.conn.execute("SELECT id FROM passages")}
    (folder / "b.txt").write_text(old_text, "utf-8")
    (folder / "a.txt").write_text(PROSE[1], "utf-8")
    report = ingest_paths(ws, [folder])
    assert [(o.path.name, o.status) for o in report.outcomes] == [("a.txt", "nieuw"), ("b.txt", "verplaatst")]
    moved = {o.path.name: o.document_id for o in report.outcomes}["b.txt"]
    assert moved == first.outcomes[0].document_id
    assert ids <= {r[0] for r in ws.conn.execute("SELECT id FROM passages")}  # its passages (and decisions) stay
    texts = {r[0]: r[1] for r in ws.conn.execute(
        "SELECT d.filename, group_concat(p.text, ' ') FROM passages p JOIN documents d ON d.id = p.document_id "
        "GROUP BY d.id")}
    assert texts["a.txt"] == PROSE[1] and "noodsteunpunten" in texts["b.txt"]


def test_bad_files_are_skipped_with_a_reason_and_the_rest_goes_on(ws, tmp_path):
    folder = make_mixed_folder(tmp_path / "docs")
    write_image_pdf(folder / "scan.pdf")
    write_pdf(folder / "geheim.pdf", PROSE, owner_password="a", user_password="b")
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.4 niets")
    (folder / "leeg.txt").write_bytes(b"")
    (folder / "groot.txt").write_text("noodsteunpunt " * 200_000, "utf-8")
    (folder / "lijst.xlsx").write_bytes(b"PK")
    report = ingest_paths(ws, [folder], IngestOptions(max_mb=1))
    reasons = {o.path.name: o.reason for o in report.skipped}
    assert reasons == {"scan.pdf": "gescand", "geheim.pdf": "versleuteld", "kapot.pdf": "beschadigd",
                       "leeg.txt": "leeg", "groot.txt": "te-groot", "lijst.xlsx": "niet-ondersteund"}
    assert report.count("nieuw") == 6
    recorded = {Path(r["path"]).name for r in skipped_files(ws)}
    assert recorded == set(reasons) - {"lijst.xlsx"}  # unsupported types are reported, not recorded
    assert ws.conn.execute("SELECT count(*) FROM documents WHERE filename IN ('scan.pdf','geheim.pdf')").fetchone()[0] == 0


def test_a_skipped_file_that_is_fixed_is_ingested_next_time(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write_image_pdf(folder / "scan.pdf")
    ingest_paths(ws, [folder])
    write_pdf(folder / "scan.pdf", PROSE)  # after OCR
    report = ingest_paths(ws, [folder])
    assert report.count("nieuw") == 1
    assert skipped_files(ws) == []


def test_an_interrupted_run_keeps_whole_documents_only(ws, tmp_path):
    folder = make_mixed_folder(tmp_path / "docs")
    calls = []

    def interrupt_after_two(path, size):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_paths(ws, [folder], progress=interrupt_after_two)
    assert len(list_documents(ws)) == 2
    report = ingest_paths(ws, [folder])
    assert report.count("ongewijzigd") == 2 and report.count("nieuw") == 4
    assert_provenance(ws)


def test_kill_minus_nine_mid_run_then_resume_without_duplicates(tmp_path):
    folder = tmp_path / "veel"
    folder.mkdir()
    n_files = 16
    for i in range(n_files):
        (folder / f"verslag-{i:02d}.txt").write_text(
            "\f".join(f"Pagina {p} van verslag {i}. " + " ".join(PROSE) * 30 for p in range(20)), "utf-8")
    workspace = tmp_path / "ws"
    cmd = [sys.executable, "-m", "weerbaar", "ingest", str(folder), "--werkruimte", str(workspace), "--stil"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = workspace / "weerbaar.sqlite"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                    done = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 3:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be killed; make the files larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    with Workspace.open(workspace) as ws:
        killed_at = len(list_documents(ws))
        assert 3 <= killed_at < n_files
        assert ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        report = ingest_paths(ws, [folder])
        assert report.count("ongewijzigd") == killed_at
        assert report.count("nieuw") == n_files - killed_at
        docs = list_documents(ws)
        assert len(docs) == n_files == len({d["path"] for d in docs})
        assert all(d["page_count"] == 20 for d in docs)
        assert ws.conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0] == \
            ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        assert assert_provenance(ws) > 0


def test_the_text_stored_is_from_the_bytes_that_were_hashed(tmp_path, monkeypatch):
    """A file rewritten while it is ingested (a sync client, an editor saving) must not pair one
    version's hash with the other version's text: the next run would then think it up to date."""
    from weerbaar.ingest import pipeline

    path = write_pdf(tmp_path / "begroting.pdf", PROSE)
    first = path.read_bytes()
    real_read_whole = pipeline.read_whole

    def read_then_rewritten(p):
        content = real_read_whole(p)
        write_pdf(p, ["Een heel andere tekst over de begroting van het zwembad, met tarieven en openingstijden."] * 3)
        return content

    monkeypatch.setattr(pipeline, "read_whole", read_then_rewritten)
    extraction = pipeline.extract_file(path, tmp_path, pipeline.IngestOptions())
    assert extraction.sha == hashlib.sha256(first).hexdigest()
    assert extraction.size == len(first)
    assert "noodsteunpunten" in extraction.plan.pages[0] and "zwembad" not in extraction.plan.pages[0]


def test_a_file_too_big_to_hold_in_memory_is_hashed_and_read_from_disk_alike(tmp_path, monkeypatch):
    from weerbaar.ingest import pipeline

    path = write_pdf(tmp_path / "begroting.pdf", PROSE, title="Programmabegroting 2025")
    in_memory = pipeline.extract_file(path, tmp_path, pipeline.IngestOptions())
    monkeypatch.setattr(pipeline, "IN_MEMORY_MAX_MB", (path.stat().st_size - 1) / 1024 / 1024)
    assert pipeline.read_whole(path) is None
    streamed = pipeline.extract_file(path, tmp_path, pipeline.IngestOptions())
    assert streamed.sha == in_memory.sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (streamed.plan, streamed.stems, streamed.meta) == (in_memory.plan, in_memory.stems, in_memory.meta)
