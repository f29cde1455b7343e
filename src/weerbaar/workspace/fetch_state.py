"""What fetching remembers: every URL fetched (its version and file) and positions in change feeds.

:class:`FetchState` (``ws.fetch_state``) owns the ``fetched`` and ``fetch_cursors`` tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from weerbaar.workspace.db import timestamp
from weerbaar.workspace.records import FetchedItem

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace


class FetchState:
    """The fetch bookkeeping of one workspace (``ws.fetch_state``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    def known(self, url: str) -> FetchedItem | None:
        """What we have for ``url`` from an earlier fetch, or None."""
        row = self.ws.conn.execute(
            "SELECT url, source, source_id, version, path, status, message, fetched_at FROM fetched WHERE url = ?",
            (url,)).fetchone()
        return None if row is None else FetchedItem(*row)

    def record(self, url: str, *, source: str, source_id: str | None, version: str | None, path: str | None,
               status: str, message: str | None) -> None:
        """Remember the outcome of fetching ``url`` (``path`` relative to the workspace), in one transaction."""
        with self.ws.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO fetched (url, source, source_id, version, path, status, message, fetched_at) "
                "VALUES (?,?,?,?,?,?,?,?)", (url, source, source_id, version, path, status, message, timestamp()))

    def cursor(self, source: str, key: str) -> str | None:
        """Where following ``source`` for ``key`` (an organisation) stopped last time."""
        row = self.ws.conn.execute("SELECT cursor FROM fetch_cursors WHERE source = ? AND key = ?",
                                   (source, key)).fetchone()
        return None if row is None else row[0]

    def set_cursor(self, source: str, key: str, cursor: str) -> None:
        with self.ws.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO fetch_cursors (source, key, cursor, updated_at) VALUES (?, ?, ?, ?)",
                         (source, key, cursor, timestamp()))
