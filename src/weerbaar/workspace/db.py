"""Opening, creating and migrating a workspace.

A workspace is a folder holding ``weerbaar.sqlite`` (WAL mode, so readers never block the
single writer). Its schema version lives in ``PRAGMA user_version``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weerbaar.errors import WorkspaceError
from weerbaar.workspace.migrations import MIGRATIONS

DB_FILENAME = "weerbaar.sqlite"
DEFAULT_WORKSPACE = "weerbaar-werkruimte"
ENV_WORKSPACE = "WEERBAAR_WERKRUIMTE"
SCHEMA_VERSION = len(MIGRATIONS)


def timestamp(timespec: str = "seconds") -> str:
    """The one time format every workspace table stores: UTC, ISO 8601."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec=timespec)


def resolve_workspace_path(path: str | os.PathLike | None) -> Path:
    """Flag, then environment variable, then ``./weerbaar-werkruimte``."""
    if path:
        return Path(path)
    return Path(os.environ.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE)


class Workspace:
    """A connection to one workspace; use as a context manager or call :meth:`close`."""

    def __init__(self, folder: Path, conn: sqlite3.Connection):
        self.folder = folder
        self.conn = conn

    @classmethod
    def open(cls, folder: str | os.PathLike, *, create: bool = False) -> Workspace:
        folder = Path(folder)
        db_path = folder / DB_FILENAME
        if not db_path.exists():
            if not create:
                raise WorkspaceError(
                    f"Geen werkruimte gevonden in '{folder}'.",
                    hint="Lees eerst documenten in met 'weerbaar ingest MAP', of kies een andere "
                    "map met --werkruimte (of de omgevingsvariabele WEERBAAR_WERKRUIMTE).",
                )
            if folder.exists() and not folder.is_dir():
                raise WorkspaceError(f"'{folder}' is een bestand, geen map voor een werkruimte.")
            folder.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(
                f"'{db_path}' is geen geldige weerbaar-werkruimte ({exc}).",
                hint="Kies een andere map met --werkruimte.",
            ) from exc
        ws = cls(folder, conn)
        ws.migrate()
        return ws

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"Deze werkruimte is gemaakt met een nieuwere versie van weerbaar "
                f"(schemaversie {current}; deze versie kent tot en met {SCHEMA_VERSION}).",
                hint="Werk weerbaar bij: pip install --upgrade weerbaar.",
            )
        for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                step(self.conn)
                self.conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back as a whole on any exception (or a killed process)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
