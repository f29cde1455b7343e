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


@migration
def m002_analysis(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- One embedding per passage and model; float16, 512 dimensions.
        CREATE TABLE passage_embeddings (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vector BLOB NOT NULL
        );

        -- Each run of 'weerbaar analyseer', with the configuration that produced its results.
        CREATE TABLE analysis_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            config_key TEXT NOT NULL,
            config TEXT NOT NULL,              -- JSON: codebook, model, threshold, embedder
            started_at TEXT NOT NULL,
            finished_at TEXT,
            passages INTEGER NOT NULL DEFAULT 0
        );

        -- Per passage: the configuration it was last analysed with, its stage and vulnerable groups.
        CREATE TABLE passage_analysis (
            passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
            config_key TEXT NOT NULL,
            run_id INTEGER NOT NULL REFERENCES analysis_runs(id),
            stage INTEGER NOT NULL,
            stage_cue TEXT,
            vulnerable_terms TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX passage_analysis_config ON passage_analysis(config_key);

        -- Passage x measure pairs worth ranking (score above a low floor), with evidence elements.
        CREATE TABLE suggestions (
            passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
            measure_id TEXT NOT NULL,
            score REAL NOT NULL,
            lexical REAL NOT NULL,
            semantic REAL NOT NULL,
            elements TEXT NOT NULL DEFAULT '{}',  -- JSON: element id -> terms found
            PRIMARY KEY (passage_id, measure_id)
        ) WITHOUT ROWID;
        CREATE INDEX suggestions_rank ON suggestions(measure_id, score DESC);

        -- Reviewers' decisions: append-only (undo marks, never deletes). Each keeps a snapshot of
        -- where its passage was, so it survives re-ingest (re-attached by text) and can move
        -- between workspaces (export/import by uid). analyseer learns from them.
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            passage_id INTEGER REFERENCES passages(id) ON DELETE SET NULL,
            measure_id TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            relevant INTEGER NOT NULL,
            quote_correct INTEGER,
            about_measure INTEGER,
            enough_context INTEGER,
            stage INTEGER,
            elements TEXT NOT NULL DEFAULT '[]',
            note TEXT,
            settles INTEGER NOT NULL DEFAULT 0,  -- settles a disagreement between reviewers
            decided_at TEXT NOT NULL,
            undone_at TEXT,
            document_sha256 TEXT NOT NULL,
            document_path TEXT NOT NULL,
            page_no INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX decisions_passage ON decisions(passage_id, measure_id);
        CREATE INDEX decisions_reviewer ON decisions(reviewer, id);
        CREATE INDEX decisions_document ON decisions(document_sha256);
        """,
    )


@migration
def m003_fetch_state(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- Every URL fetched for the workspace: what version we have and where it is.
        CREATE TABLE fetched (
            url TEXT PRIMARY KEY,
            source TEXT NOT NULL,               -- ori, openbesluitvorming, website, lijst
            source_id TEXT,                     -- the identifier in the source, when it has one
            version TEXT,                       -- what tells a changed item: a date, ETag or hash
            path TEXT,                          -- the stored file, relative to the workspace
            status TEXT NOT NULL,               -- ok or fout
            message TEXT,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX fetched_source ON fetched(source, source_id);

        -- Positions in change feeds (OpenBesluitvorming export), to follow a source over time.
        CREATE TABLE fetch_cursors (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            cursor TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (source, key)
        );
        """,
    )


@migration
def m004_review_settings(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- Workspace settings (the share of double review, the review app's CSRF secret, ...).
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        -- A review queue asks per measure which passages were decided.
        CREATE INDEX decisions_measure ON decisions(measure_id, passage_id);
        """,
    )


@migration
def m005_pseudo_pages(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- Unpaginated text is stored in pseudo-pages ("tekstdelen") of bounded size; this is where
        -- each starts in the document's whole text. NULL on real pages (PDF, paginated DOCX/ODT).
        ALTER TABLE pages ADD COLUMN text_offset INTEGER;
        -- Unpaginated documents stored before had one part, starting at 0.
        UPDATE pages SET text_offset = 0 WHERE document_id IN (SELECT id FROM documents WHERE paginated = 0);

        -- Titles are capped at ingest (300 characters); older workspaces may hold longer ones.
        UPDATE documents SET title = substr(title, 1, 299) || '…' WHERE length(title) > 300;
        """,
    )


@migration
def m006_subject(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- Whom a passage speaks for (its own organisation, the safety region, the GGD, ...), as
        -- detected by analyseer, and a reviewer's correction of it on a decision.
        ALTER TABLE passage_analysis ADD COLUMN subject_kind TEXT;
        ALTER TABLE passage_analysis ADD COLUMN subject_name TEXT;
        ALTER TABLE passage_analysis ADD COLUMN subject_cue TEXT;
        ALTER TABLE decisions ADD COLUMN subject TEXT;
        """,
    )


@migration
def m007_accounts(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- People who may use a shared review server (weerbaar gebruiker toevoegen). Passwords only
        -- as an Argon2id hash. A coordinator alone settles conflicts and imports/exports decisions.
        CREATE TABLE accounts (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('coordinator', 'beoordelaar')),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        -- Logged-in browsers: only a hash of the session cookie is stored.
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE ON UPDATE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX sessions_account ON sessions(account);
        """,
    )


@migration
def m008_statistics(conn: sqlite3.Connection) -> None:
    """Table statistics for the query planner in a workspace analysed before 'analyseer' kept them.

    Without them SQLite drives the verdict queries from the 300k suggestions and reads each
    passage's document row, which walks the overflow pages of a megabyte 'title' that older
    ingests stored; with them it starts from the documents' organisation index (8 s → 3 s for
    all verdicts at 100k passages). See :meth:`Workspace.update_statistics`."""
    update_statistics(conn)


def update_statistics(conn: sqlite3.Connection) -> None:
    """ANALYZE on a sample (at most 1,000 rows per index: milliseconds at any size)."""
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute("ANALYZE")


@migration
def m009_embedding_changes(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- Which passages' vectors were added, replaced or removed, in order: the vector index file
        -- (weerbaar.index.vectors) replays the rows after its high-water mark instead of rebuilding.
        -- Triggers catch every writer, the deletes that cascade from a replaced document included.
        CREATE TABLE IF NOT EXISTS embedding_changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            passage_id INTEGER NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS embedding_added AFTER INSERT ON passage_embeddings
            BEGIN INSERT INTO embedding_changes (passage_id) VALUES (new.passage_id); END;
        CREATE TRIGGER IF NOT EXISTS embedding_replaced AFTER UPDATE ON passage_embeddings
            BEGIN INSERT INTO embedding_changes (passage_id) VALUES (new.passage_id); END;
        CREATE TRIGGER IF NOT EXISTS embedding_removed AFTER DELETE ON passage_embeddings
            BEGIN INSERT INTO embedding_changes (passage_id) VALUES (old.passage_id); END;
        """,
    )
