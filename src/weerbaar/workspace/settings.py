"""Small workspace settings kept in the database, so every reviewer and every restart sees them."""

from __future__ import annotations

import secrets

from weerbaar.workspace.db import Workspace

DOUBLE_REVIEW_SHARE = "dubbele_beoordeling"  # share of decided items a second reviewer sees again
CSRF_SECRET = "csrf_geheim"


def get_setting(ws: Workspace, key: str, default: str | None = None) -> str | None:
    row = ws.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(ws: Workspace, key: str, value: str) -> None:
    with ws.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (key, value))


def double_review_share(ws: Workspace) -> float:
    return float(get_setting(ws, DOUBLE_REVIEW_SHARE, "0") or 0)


def secret(ws: Workspace, key: str = CSRF_SECRET) -> str:
    """A random secret created once per workspace (so tokens stay valid after a restart)."""
    value = get_setting(ws, key)
    if value is None:
        with ws.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, secrets.token_hex(32)))
        value = get_setting(ws, key)
    return value
