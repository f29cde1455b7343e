"""Small workspace settings kept in the database, so every reviewer and every restart sees them.

:class:`Settings` (``ws.settings``) owns the ``settings`` table; the module functions are the
older spelling, kept for their callers.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace

DOUBLE_REVIEW_SHARE = "dubbele_beoordeling"  # share of decided items a second reviewer sees again
CSRF_SECRET = "csrf_geheim"


class Settings:
    """Key-value settings of one workspace (``ws.settings``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.ws.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str) -> None:
        with self.ws.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def double_review_share(self) -> float:
        return float(self.get(DOUBLE_REVIEW_SHARE, "0") or 0)

    def secret(self, key: str = CSRF_SECRET) -> str:
        """A random secret created once per workspace (so tokens stay valid after a restart)."""
        value = self.get(key)
        if value is None:
            with self.ws.transaction() as conn:
                conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, secrets.token_hex(32)))
            value = self.get(key)
        assert value is not None
        return value


def get_setting(ws: Workspace, key: str, default: str | None = None) -> str | None:
    return ws.settings.get(key, default)


def set_setting(ws: Workspace, key: str, value: str) -> None:
    ws.settings.set(key, value)


def double_review_share(ws: Workspace) -> float:
    return ws.settings.double_review_share()


def secret(ws: Workspace, key: str = CSRF_SECRET) -> str:
    return ws.settings.secret(key)
