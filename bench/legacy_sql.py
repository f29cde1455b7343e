"""The few reads and writes a side-by-side benchmark needs on workspaces that an OLDER tree of
weerbaar (``--basis-src``, from before the store existed) must still open.

Everything else in ``bench/`` goes through the store (``ws.documents``, ``ws.analysis``, ...). This
module cannot: it runs under the old tree's ``weerbaar`` package too, and opening a workspace with
the current store would migrate it past what the old code accepts. ``tests/test_store.py`` exempts
this one file for that reason; keep it to plain reads and the synthetic set-up.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def connect(folder: Path) -> sqlite3.Connection:
    return sqlite3.connect(folder / "weerbaar.sqlite")


def set_big_titles(conn: sqlite3.Connection, title: str, documents: int) -> None:
    for doc in range(1, documents + 1):
        conn.execute("UPDATE documents SET title = ?, paginated = 0 WHERE id = ?", (title, doc))
    conn.commit()


def sample_pairs(conn: sqlite3.Connection, n: int) -> list[tuple[int, str]]:
    return [tuple(r) for r in conn.execute(
        "SELECT passage_id, measure_id FROM suggestions ORDER BY random() LIMIT ?", (n,))]


def organisations_and_busiest_measure(folder: Path) -> tuple[list[str], str]:
    with closing(connect(folder)) as conn:
        organisations = [r[0] for r in conn.execute(
            "SELECT DISTINCT organisation FROM documents WHERE organisation IS NOT NULL")]
        measure = conn.execute("SELECT measure_id FROM suggestions GROUP BY 1 ORDER BY count(*) DESC").fetchone()[0]
    return organisations, measure


def counts(folder: Path) -> tuple[int, int, int, int]:
    """Passages, suggestions, decisions and the longest document title, without migrating."""
    with closing(connect(folder)) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM passages), (SELECT count(*) FROM suggestions), "
            "(SELECT count(*) FROM decisions), (SELECT max(length(title)) FROM documents)").fetchone()
