"""The documents of a workspace: storing, finding, moving and removing them, and correcting their metadata.

:class:`Documents` (``ws.documents``) owns the SQL on ``documents``, ``metadata_corrections`` and
``skipped_files``; the module functions below it are the older spelling, kept for their callers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weerbaar.documentmeta import FIELDS, DocumentMeta
from weerbaar.errors import WeerbaarError
from weerbaar.workspace.db import Workspace, timestamp


def like_escape(text: str) -> str:
    """Text for a LIKE pattern with ``ESCAPE '\\'``: % and _ (and the escape itself) match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class DocumentFilters:
    """Which documents a listing or search covers; shared by every command that filters."""

    organisation: str | None = None  # case-insensitive part of the name
    doc_type: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    document_id: int | None = None

    def where(self, alias: str = "d") -> tuple[list[str], list]:
        """SQL conditions on the documents table (as ``alias``) and their arguments."""
        conditions = [
            ("organisation LIKE ? ESCAPE '\\'", f"%{like_escape(self.organisation)}%" if self.organisation else None),
            ("doc_type = ?", self.doc_type),
            ("year >= ?", self.year_from),
            ("year <= ?", self.year_to),
            ("id = ?", self.document_id),
        ]
        used = [(sql, value) for sql, value in conditions if value is not None]
        return [f"{alias}.{sql}" for sql, _ in used], [value for _, value in used]


class Documents:
    """The documents repository of one workspace (``ws.documents``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    # Reading
    def overview(self, filters: DocumentFilters | None = None) -> list[dict]:
        """Documents with metadata, where each value came from, and page and passage counts."""
        where, args = (filters or DocumentFilters()).where()
        sql = f"""
            SELECT d.*, (SELECT count(*) FROM passages p WHERE p.document_id = d.id) AS passage_count
            FROM documents d {'WHERE ' + ' AND '.join(where) if where else ''}
            ORDER BY d.organisation, d.year, d.doc_type, d.filename"""
        out = []
        for r in self.ws.conn.execute(sql, args):
            row = dict(r)
            row["paginated"] = bool(row["paginated"])
            for key in ("metadata_source", "source_info", "notes"):
                row[key] = json.loads(row[key])
            out.append(row)
        return out

    def find(self, doc_id: int) -> dict[str, Any] | None:
        """One document's stored row, or None when there is no such document."""
        row = self.ws.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else dict(row)

    def get(self, doc_id: int) -> dict[str, Any]:
        """One document's stored row; a Dutch error when there is no such document."""
        doc = self.find(doc_id)
        if doc is None:
            raise WeerbaarError(
                f"Er is geen document met nummer {doc_id} in deze werkruimte.",
                hint="'weerbaar documenten' toont de nummers.",
            )
        return doc

    def with_content(self, sha256: str) -> dict[str, Any] | None:
        """The document (id, path) whose file has this content hash, if one was ingested."""
        row = self.ws.conn.execute("SELECT id, path FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else dict(row)

    def at_path(self, path: str | Path) -> dict[str, Any] | None:
        """The document (id, sha256) ingested from this path, if any."""
        row = self.ws.conn.execute("SELECT id, sha256 FROM documents WHERE path = ?", (str(path),)).fetchone()
        return None if row is None else dict(row)

    def corrections(self, path: str | Path) -> dict[str, str]:
        """A person's metadata corrections for the file at ``path`` (field → value)."""
        rows = self.ws.conn.execute("SELECT field, value FROM metadata_corrections WHERE path = ?", (str(path),))
        return {r["field"]: r["value"] for r in rows}

    def organisations(self) -> list[tuple[str, str, dict]]:
        """Each distinct (organisation, organisation type, source info) the documents name."""
        return [(org, org_type, json.loads(info or "{}")) for org, org_type, info in self.ws.conn.execute(
            "SELECT DISTINCT organisation, organisation_type, source_info FROM documents WHERE organisation IS NOT NULL")]

    def organisation_names(self) -> list[str]:
        return [r[0] for r in self.ws.conn.execute(
            "SELECT DISTINCT organisation FROM documents WHERE organisation IS NOT NULL ORDER BY organisation")]

    def totals(self) -> tuple[int, int]:
        """(documents, pages) in the workspace, the pages as counted at ingest."""
        n, pages = self.ws.conn.execute("SELECT count(*), coalesce(sum(page_count), 0) FROM documents").fetchone()
        return n, pages

    def longest(self) -> tuple[int, int]:
        """(longest title, longest page text) in characters: what the caps at ingest keep bounded."""
        row = self.ws.conn.execute(
            "SELECT (SELECT coalesce(max(length(title)), 0) FROM documents), "
            "(SELECT coalesce(max(length(text)), 0) FROM pages)").fetchone()
        return row[0], row[1]

    def counts(self) -> dict[str, int]:
        q = self.ws.conn.execute
        return {
            "documenten": q("SELECT count(*) FROM documents").fetchone()[0],
            "paginas": q("SELECT count(*) FROM pages").fetchone()[0],
            "passages": q("SELECT count(*) FROM passages").fetchone()[0],
            "overgeslagen": q("SELECT count(*) FROM skipped_files").fetchone()[0],
        }

    def skipped(self) -> list[dict]:
        return [dict(r) for r in self.ws.conn.execute("SELECT * FROM skipped_files ORDER BY path")]

    # Writing (inside the caller's transaction unless said otherwise)
    def add(self, path: Path, *, sha256: str, size_bytes: int, format: str, meta: DocumentMeta, page_count: int,
            paginated: bool, source_info: dict, notes: list) -> int:
        """Store a document's row (its pages and passages go through ``ws.passages``); returns its id.

        The file's earlier refusal, if any, is forgotten: it is ingested now.
        """
        conn = self.ws.conn
        doc_id: int = conn.execute(  # type: ignore[assignment]  # an INSERT always sets it
            """INSERT INTO documents (path, filename, sha256, size_bytes, format, title, organisation,
                   organisation_type, doc_type, year, date, page_count, paginated, metadata_source,
                   source_info, notes, ingested_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (str(path), path.name, sha256, size_bytes, format, meta.title, meta.organisation, meta.organisation_type,
             meta.doc_type, meta.year, meta.date, page_count, int(paginated),
             json.dumps(meta.source, ensure_ascii=False), json.dumps(source_info, ensure_ascii=False),
             json.dumps(notes, ensure_ascii=False), timestamp()),
        ).lastrowid
        conn.execute("DELETE FROM skipped_files WHERE path = ?", (str(path),))
        return doc_id

    def delete(self, doc_id: int) -> None:
        """Remove a document with its pages, passages, analyses and index rows (inside a transaction).

        Decisions on its passages stay (their passage becomes NULL; they keep their snapshot).
        """
        self.ws.conn.execute(
            "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE document_id = ?)", (doc_id,))
        self.ws.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def move(self, doc_id: int, old_path: str, new_path: Path) -> None:
        """The file was moved or renamed: keep its passages and a person's corrections (one transaction)."""
        with self.ws.transaction() as conn:
            conn.execute("UPDATE documents SET path = ?, filename = ? WHERE id = ?", (str(new_path), new_path.name, doc_id))
            conn.execute("UPDATE metadata_corrections SET path = ? WHERE path = ?", (str(new_path), old_path))

    def record_skipped(self, path: str, reason: str, message: str) -> None:
        """Remember why a file was refused at its last attempt (one transaction)."""
        with self.ws.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO skipped_files (path, reason, message, attempted_at) VALUES (?,?,?,?)",
                (path, reason, message, timestamp()))

    def correct(self, doc_id: int, values: Mapping[str, str | int | None]) -> dict:
        """Apply a person's corrections now, and remember them for later re-ingests of the same file.

        Raises ValueError (Dutch message) for an invalid value; nothing is changed then.
        """
        doc = self.get(doc_id)
        values = {k: v for k, v in values.items() if v not in (None, "")}
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValueError(f"onbekende velden: {', '.join(sorted(unknown))}")
        meta = DocumentMeta(
            organisation=doc["organisation"], organisation_type=doc["organisation_type"], doc_type=doc["doc_type"],
            year=doc["year"], date=doc["date"], title=doc["title"], source=json.loads(doc["metadata_source"]),
        )
        if "organisation_type" in values:  # the type first, so that the organisation is named with it
            meta.set("organisation_type", values["organisation_type"], "handmatig")
        for name, value in values.items():
            if name != "organisation_type":
                meta.set(name, value, "handmatig")
        now = timestamp()
        with self.ws.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO metadata_corrections (path, field, value, corrected_at) VALUES (?,?,?,?)",
                [(doc["path"], name, str(value), now) for name, value in values.items()],
            )
            conn.execute(
                """UPDATE documents SET organisation=?, organisation_type=?, doc_type=?, year=?, date=?, title=?,
                       metadata_source=? WHERE id=?""",
                (meta.organisation, meta.organisation_type, meta.doc_type, meta.year, meta.date, meta.title,
                 json.dumps(meta.source, ensure_ascii=False), doc_id),
            )
        return self.get(doc_id)

    def set_title(self, doc_id: int, title: str, *, paginated: bool | None = None) -> None:
        """Overwrite a document's title (and whether it has real pages): for benchmarks and repairs."""
        with self.ws.transaction() as conn:
            conn.execute("UPDATE documents SET title = ?, paginated = coalesce(?, paginated) WHERE id = ?",
                         (title, None if paginated is None else int(paginated), doc_id))


# The module-level spelling, kept for existing callers.
def list_documents(ws: Workspace, filters: DocumentFilters | None = None) -> list[dict]:
    return ws.documents.overview(filters)


def get_document(ws: Workspace, doc_id: int) -> dict:
    return ws.documents.get(doc_id)


def correct_document(ws: Workspace, doc_id: int, values: Mapping[str, str | int | None]) -> dict:
    return ws.documents.correct(doc_id, values)


def skipped_files(ws: Workspace) -> list[dict]:
    return ws.documents.skipped()


def workspace_counts(ws: Workspace) -> dict[str, int]:
    return ws.documents.counts()
