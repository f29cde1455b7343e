"""``kill -9`` of ``weerbaar analyseer`` leaves no embedding worker behind (each holds ~300 MB)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from weerbaar.embeddings import POOL_THRESHOLD, _cores
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to find child processes"),
    pytest.mark.skipif(_cores() < 2, reason="one core: analyseer embeds in-process, without workers"),
]

TOPICS = ["noodsteunpunten in de wijken", "noodstroom voor het gemeentehuis", "drinkwater bij uitval",
          "het continuiteitsplan", "de crisiscommunicatie", "oefeningen met de veiligheidsregio"]


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _children(pid: int) -> set[int]:
    """Direct children, from every process's PPid in /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _status(int(entry.name)).get("PPid", "").strip() == str(pid):
            found.add(int(entry.name))
    return found


def _descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        kids = _children(todo.pop())
        out |= kids
        todo.extend(kids)
    return out


def _alive(pid: int) -> bool:
    state = _status(pid).get("State", "")
    return bool(state) and not state.startswith(("Z", "X"))  # a zombie holds no memory and runs nothing


@pytest.fixture
def big_workspace(tmp_path):
    """Enough passages that analyseer starts its process pool."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for d in range(12):
        paragraphs = [f"Paragraaf {p} van document {d}. De gemeente werkt in {2020 + p % 6} aan {TOPICS[p % 6]}; "
                      f"het college rapporteert hierover aan de raad in kwartaal {p % 4 + 1}." for p in range(60)]
        (folder / f"document-{d}.txt").write_text("\n\n".join(paragraphs), "utf-8")
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ingest_paths(ws, [folder])
        assert ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0] >= POOL_THRESHOLD
    return tmp_path / "ws"


def test_embedding_workers_end_when_analyseer_is_killed(big_workspace):
    proc = subprocess.Popen([sys.executable, "-m", "weerbaar", "analyseer", "-w", str(big_workspace), "--stil"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            workers = {p for p in _descendants(proc.pid) if _alive(p)}
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert proc.poll() is None and len(workers) >= 2, (
            f"analyseer ended or started no workers: {proc.poll()} {proc.stderr.read() if proc.poll() else ''}")
        time.sleep(1.0)  # let the workers get busy loading the model and embedding
        workers = {p for p in _descendants(proc.pid) if _alive(p)}
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "embedding workers outlived analyseer"
    finally:
        for p in workers | ({proc.pid} if proc.poll() is None else set()):
            if _alive(p):
                os.kill(p, signal.SIGKILL)
        proc.stderr.close()
