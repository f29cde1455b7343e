"""Schema migrations, registered in order; ``PRAGMA user_version`` records the last one applied.

Each migration runs in its own transaction. Never edit a released migration: add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


def run_script(conn: sqlite3.Connection, sql: str) -> None:
    """Execute several statements inside the caller's transaction.

    ``executescript`` would commit first, which would break the one-transaction-per-migration rule.
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


@migration
def m001_documents_pages_passages(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- AUTOINCREMENT: ids are never reused, so a reference to a removed passage can never
        -- silently point at a newer one.
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE,          -- absolute path at ingest time
            filename TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            format TEXT NOT NULL,               -- pdf, docx, odt, html, txt
            title TEXT,
            organisation TEXT,
            organisation_type TEXT NOT NULL DEFAULT 'overig',
            doc_type TEXT NOT NULL DEFAULT 'overig',
            year INTEGER,
            date TEXT,                          -- ISO date, when known
            page_count INTEGER NOT NULL,
            paginated INTEGER NOT NULL,         -- 0 for formats without real pages
            metadata_source TEXT NOT NULL,      -- JSON: field -> where its value came from
            source_info TEXT NOT NULL DEFAULT '{}',  -- JSON: source URL, identifiers, ...
            notes TEXT NOT NULL DEFAULT '[]',   -- JSON list of warnings (e.g. pages without text)
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX documents_sha256 ON documents(sha256);
        CREATE INDEX documents_org ON documents(organisation);

        CREATE TABLE pages (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            page_no INTEGER NOT NULL,           -- 1-based, as printed by a PDF viewer
            text TEXT NOT NULL,
            PRIMARY KEY (document_id, page_no)
        ) WITHOUT ROWID;

        CREATE TABLE passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            page_no INTEGER NOT NULL,
            seq INTEGER NOT NULL,               -- order within the document
            start INTEGER NOT NULL,             -- character offsets into pages.text
            end INTEGER NOT NULL,
            text TEXT NOT NULL                  -- equals pages.text[start:end]
        );
        CREATE INDEX passages_doc ON passages(document_id, seq);

        -- Stemmed passage text for full-text search; rowid = passages.id.
        CREATE VIRTUAL TABLE passages_fts USING fts5(stems, tokenize = 'unicode61 remove_diacritics 2');

        -- Metadata corrected by a person, keyed by path so it survives re-ingest of a changed file.
        CREATE TABLE metadata_corrections (
            path TEXT NOT NULL,
            field TEXT NOT NULL,
            value TEXT,
            corrected_at TEXT NOT NULL,
            PRIMARY KEY (path, field)
        );

        -- Files refused at the last attempt, with the reason; cleared when the file is ingested.
        CREATE TABLE skipped_files (
            path TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            attempted_at TEXT NOT NULL
        );
        """
    )
