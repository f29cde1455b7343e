"""Accounts and browser sessions of a shared review server: the SQL of ``ws.accounts``.

Only storage: password hashing, name and role rules live in :mod:`weerbaar.review.accounts`.
Session tokens arrive here already hashed; a copy of the workspace holds no usable token.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace


class AccountRow(NamedTuple):
    name: str
    role: str
    created_at: str
    password_hash: str


class NameTaken(Exception):
    """An account with this name exists already."""


class AccountStore:
    """The ``accounts`` and ``sessions`` tables of one workspace (``ws.accounts``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    def any(self) -> bool:
        return self.ws.conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    def all(self) -> list[AccountRow]:
        return [AccountRow(*r) for r in self.ws.conn.execute(
            "SELECT name, role, created_at, password_hash FROM accounts ORDER BY name")]

    def get(self, name: str) -> AccountRow | None:
        row = self.ws.conn.execute("SELECT name, role, created_at, password_hash FROM accounts WHERE name = ?",
                                   (name,)).fetchone()
        return AccountRow(*row) if row else None

    def add(self, name: str, role: str, password_hash: str, created_at: str) -> None:
        """Raises :class:`NameTaken` when the name is in use."""
        try:
            with self.ws.transaction() as conn:
                conn.execute("INSERT INTO accounts (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                             (name, role, password_hash, created_at))
        except sqlite3.IntegrityError:
            raise NameTaken(name) from None

    def set_password_hash(self, name: str, password_hash: str, *, end_sessions: bool) -> None:
        with self.ws.transaction() as conn:
            conn.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", (password_hash, name))
            if end_sessions:
                conn.execute("DELETE FROM sessions WHERE account = ?", (name,))

    def set_role(self, name: str, role: str) -> None:
        with self.ws.transaction() as conn:
            conn.execute("UPDATE accounts SET role = ? WHERE name = ?", (role, name))

    def remove(self, name: str) -> None:
        """The account and its sessions (its decisions stay: they carry the name)."""
        with self.ws.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE account = ?", (name,))
            conn.execute("DELETE FROM accounts WHERE name = ?", (name,))

    def start_session(self, token_hash: str, name: str, created_at: str, expires_at: str) -> None:
        """Store a session (and drop the expired ones while at it)."""
        with self.ws.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (created_at,))
            conn.execute("INSERT INTO sessions (token_hash, account, created_at, expires_at) VALUES (?, ?, ?, ?)",
                         (token_hash, name, created_at, expires_at))

    def session_account(self, token_hash: str, now: str) -> tuple[str, str] | None:
        """(name, role) of the account of an unexpired session."""
        row = self.ws.conn.execute(
            """SELECT a.name, a.role FROM sessions s JOIN accounts a ON a.name = s.account
               WHERE s.token_hash = ? AND s.expires_at >= ?""", (token_hash, now)).fetchone()
        return (row[0], row[1]) if row else None

    def end_session(self, token_hash: str) -> None:
        with self.ws.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
