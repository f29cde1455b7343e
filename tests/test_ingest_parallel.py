"""Ingest in worker processes stores exactly what one process stores, and one bad file costs only itself."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROSE, write_pdf
from tests.test_ingest import assert_provenance, make_mixed_folder
from weerbaar.ingest import pipeline
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace


def workspace_content(ws: Workspace) -> dict[str, list[tuple]]:
    """Everything ingest stores, ids included, without the time of ingest."""
    queries = {
        "documents": "SELECT id, path, sha256, size_bytes, format, title, organisation, organisation_type, doc_type, "
                     "year, date, page_count, paginated, metadata_source, source_info, notes FROM documents ORDER BY id",
        "pages": "SELECT document_id, page_no, text, text_offset FROM pages ORDER BY document_id, page_no",
        "passages": "SELECT id, document_id, page_no, seq, start, end, text FROM passages ORDER BY id",
        "index": "SELECT rowid, stems FROM passages_fts ORDER BY rowid",
        "skipped": "SELECT path, reason, message FROM skipped_files ORDER BY path",
    }
    return {name: [tuple(r) for r in ws.conn.execute(sql)] for name, sql in queries.items()}


def mixed_corpus(folder: Path) -> Path:
    make_mixed_folder(folder)
    write_pdf(folder / "jaarverslag-2022.pdf", [" ".join(PROSE)] * 4)
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\ngeen echte pdf\n")
    (folder / "leeg.txt").write_bytes(b"")
    return folder


def ingest_both(tmp_path: Path, folder: Path, **kwargs) -> list[dict]:
    """Ingest ``folder`` into one workspace with one process and into another with two."""
    results = []
    for processes in (1, 2):
        with Workspace.open(tmp_path / f"ws-{processes}", create=True) as ws:
            report = ingest_paths(ws, [folder], processes=processes, **kwargs)
            results.append({"statuses": [(o.display, o.status, o.reason, o.message) for o in report.outcomes],
                            "content": workspace_content(ws)})
    return results


def test_two_processes_store_exactly_what_one_process_stores(tmp_path):
    folder = mixed_corpus(tmp_path / "docs")
    one, two = ingest_both(tmp_path, folder)
    assert one == two
    statuses = {Path(path).name: (status, reason) for path, status, reason, _ in one["statuses"]}
    assert statuses["kapot.pdf"] == ("overgeslagen", "beschadigd")
    assert statuses["leeg.txt"] == ("overgeslagen", "leeg")
    assert sum(s == "nieuw" for s, _ in statuses.values()) == 7
    assert len(one["content"]["passages"]) == len(one["content"]["index"]) > 0

    # A second run: one file changed, one moved, one copied, the rest unchanged; again the same.
    (folder / "memo.md").write_text(f"# Memo\n\n{PROSE[0]}", "utf-8")
    (folder / "sub" / "notitie.txt").rename(folder / "notitie-verplaatst.txt")
    (folder / "kopie.html").write_bytes((folder / "pagina.html").read_bytes())
    one, two = ingest_both(tmp_path, folder)
    assert one == two
    statuses = {Path(path).name: status for path, status, _, _ in one["statuses"]}
    assert statuses["memo.md"] == "gewijzigd" and statuses["notitie-verplaatst.txt"] == "verplaatst"
    assert statuses["kopie.html"] == "overgeslagen" and statuses["begroting-2024.pdf"] == "ongewijzigd"


def test_the_bound_on_waiting_text_never_stalls_ingest(tmp_path, monkeypatch):
    """At the tightest bound on extracted text waiting for the writer (no new file is handed out
    while any result waits), ingest still ends and stores exactly the same."""
    from weerbaar.ingest import workers

    monkeypatch.setattr(workers, "MAX_WAITING_CHARS", 1)
    monkeypatch.setattr(workers, "IN_FLIGHT_PER_WORKER", 1)
    folder = mixed_corpus(tmp_path / "docs")
    one, two = ingest_both(tmp_path, folder)
    assert one == two
    assert sum(status == "nieuw" for _, status, _, _ in two["statuses"]) == 7


def test_files_are_read_biggest_first_and_reported_in_their_own_order(tmp_path):
    from weerbaar.ingest.pipeline import work_order

    assert work_order([1, 5, 3, 5, 0]) == [1, 3, 2, 0, 4]  # ties keep the files' order
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a-klein.txt").write_text(PROSE[0], "utf-8")
    (folder / "b-groot.txt").write_text(" ".join(PROSE) * 20, "utf-8")
    (folder / "c-kopie-van-a.txt").write_text(PROSE[0], "utf-8")
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        report = ingest_paths(ws, [folder], processes=2)
        assert [(o.path.name, o.status) for o in report.outcomes] == [
            ("a-klein.txt", "nieuw"), ("b-groot.txt", "nieuw"), ("c-kopie-van-a.txt", "overgeslagen")]
        ids = {o.path.name: o.document_id for o in report.outcomes}
        assert ids["b-groot.txt"] < ids["a-klein.txt"]  # stored first


def test_a_worker_that_dies_on_a_file_costs_only_that_file(tmp_path, monkeypatch):
    folder = mixed_corpus(tmp_path / "docs")
    (folder / "doodt-de-lezer.txt").write_text(PROSE[0], "utf-8")
    real_read = pipeline._read

    def read_or_die(path, options, content=None):  # stands in for a parser that crashes the process (segfault, OOM kill)
        if path.name == "doodt-de-lezer.txt":
            os._exit(9)
        return real_read(path, options, content)

    monkeypatch.setattr(pipeline, "_read", read_or_die)  # the forked workers inherit it
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        report = ingest_paths(ws, [folder], processes=2)
        outcome = {o.path.name: o for o in report.outcomes}
        assert outcome["doodt-de-lezer.txt"].status == "overgeslagen"
        assert "leesproces stopte onverwacht" in outcome["doodt-de-lezer.txt"].message
        assert report.count("nieuw") == 7  # every other readable file is stored
        assert assert_provenance(ws) == report.passages
        again = ingest_paths(ws, [folder], processes=2)  # and the pool works again afterwards
        assert again.count("ongewijzigd") == 7


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_workers_end_when_the_writer_is_killed(tmp_path):
    folder = tmp_path / "veel"
    folder.mkdir()
    for i in range(12):
        (folder / f"verslag-{i:02d}.txt").write_text(
            "\f".join(f"Pagina {p} van verslag {i}. " + " ".join(PROSE) * 30 for p in range(20)), "utf-8")
    cmd = [sys.executable, "-m", "weerbaar", "ingest", str(folder), "--werkruimte", str(tmp_path / "ws"), "--stil",
           "--processen", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    workers: set[int] = set()
    while time.time() < deadline and proc.poll() is None and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert proc.poll() is None and len(workers) == 2, "the workers did not start before ingest ended"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


def test_processen_option(tmp_path):
    folder = mixed_corpus(tmp_path / "docs")
    run = [sys.executable, "-m", "weerbaar", "ingest", str(folder), "--werkruimte", str(tmp_path / "ws"), "--stil"]
    assert subprocess.run(run + ["--processen", "0"], capture_output=True).returncode == 2
    done = subprocess.run(run + ["--processen", "2", "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"beschadigd"' in done.stdout
