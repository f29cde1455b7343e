"""Two `ingest` runs on one workspace wait for each other, with a Dutch message, instead of
colliding (IntegrityError) — and two processes creating a new workspace do not race its schema."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PROSE
from weerbaar.workspace import Workspace
from weerbaar.workspace.db import SCHEMA_VERSION, workspace_lock

WEERBAAR = [str(Path(sys.executable).parent / "weerbaar")]
ENV = {**os.environ, "COLUMNS": "200"}


def make_folder(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"notitie-{i:02d}.txt").write_text(f"Notitie {i}.\n\n" + "\n\n".join(PROSE), "utf-8")
    return folder


def ingest(folder: Path, ws: Path) -> subprocess.Popen:
    return subprocess.Popen([*WEERBAAR, "ingest", str(folder), "-w", str(ws)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)


def test_a_second_ingest_waits_for_the_first_with_a_message(tmp_path):
    folder = make_folder(tmp_path / "docs", 3)
    ws = tmp_path / "ws"
    Workspace.open(ws, create=True).close()
    with workspace_lock(ws, "test"):  # stands in for a long first run
        proc = ingest(folder, ws)
        waiting = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # read what it says until it says it waits
            line = proc.stderr.readline()
            waiting.append(line)
            said = " ".join("".join(waiting).split())  # Rich may wrap the message over lines
            if "wacht tot die klaar is" in said or not line:
                break
        assert f"Er loopt al een andere opdracht in werkruimte '{ws}'; inlezen wacht tot die klaar is" in said
        time.sleep(1)
        assert proc.poll() is None  # and really waits
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Nieuw ingelezen" in err
    with Workspace.open(ws) as w:
        assert w.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 3


def test_concurrent_ingests_on_a_new_workspace_both_succeed(tmp_path):
    for round_ in range(3):
        folder = make_folder(tmp_path / f"docs{round_}", 8)
        ws = tmp_path / f"ws{round_}"
        procs = [ingest(folder, ws) for _ in range(2)]
        results = [p.communicate(timeout=300) for p in procs]
        for proc, (_out, err) in zip(procs, results):
            assert proc.returncode == 0, err
            assert "Traceback" not in err and "IntegrityError" not in err
        with Workspace.open(ws) as w:
            assert w.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 8
            assert w.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert w.schema_version == SCHEMA_VERSION


def test_processes_creating_one_workspace_do_not_race_the_migrations(tmp_path):
    script = ("import sys; from weerbaar.workspace import Workspace; "
              "Workspace.open(sys.argv[1], create=True).close()")
    for round_ in range(3):
        ws = tmp_path / f"ws{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", script, str(ws)], stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, errors
        conn = sqlite3.connect(ws / "weerbaar.sqlite")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.close()


def test_library_callers_wait_too_and_a_nested_hold_is_free(tmp_path):
    """`haal` and the demo call ingest_paths directly: they take the same lock, per thread."""
    import threading

    from weerbaar.ingest.pipeline import ingest_paths

    folder = make_folder(tmp_path / "docs", 6)
    ws_folder = tmp_path / "ws"
    Workspace.open(ws_folder, create=True).close()
    reports, waits = [], []

    def run():
        with Workspace.open(ws_folder) as ws:
            reports.append(ingest_paths(ws, [folder], on_wait=waits.append))

    with workspace_lock(ws_folder, "test"):
        with workspace_lock(ws_folder, "test"):  # nested in one thread: no deadlock
            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads:
                t.start()
            time.sleep(1)
            assert all(t.is_alive() for t in threads) and not reports
    for t in threads:
        t.join(120)
    assert len(waits) == 2 and all("inlezen wacht tot die klaar is" in w for w in waits)
    statuses = sorted(o.status for r in reports for o in r.outcomes)
    assert statuses == ["nieuw"] * 6 + ["ongewijzigd"] * 6


def test_a_folder_where_no_lock_can_be_made_gives_a_dutch_error():
    import pytest

    from weerbaar.errors import WorkspaceError

    if not Path("/proc/1").is_dir():
        pytest.skip("needs Linux /proc")
    with pytest.raises(WorkspaceError) as caught:  # /proc/1 refuses new files, also to root
        with workspace_lock(Path("/proc/1"), "inlezen"):
            pass
    assert caught.value.message.startswith("Werkruimte '/proc/1' kan niet worden vergrendeld voor inlezen")
