"""Reading documents from the workspace and correcting their metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass

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


def list_documents(ws: Workspace, filters: DocumentFilters | None = None) -> list[dict]:
    """Documents with metadata, where each value came from, and page and passage counts."""
    where, args = (filters or DocumentFilters()).where()
    sql = f"""
        SELECT d.*, (SELECT count(*) FROM passages p WHERE p.document_id = d.id) AS passage_count
        FROM documents d {'WHERE ' + ' AND '.join(where) if where else ''}
        ORDER BY d.organisation, d.year, d.doc_type, d.filename"""
    out = []
    for r in ws.conn.execute(sql, args):
        row = dict(r)
        row["paginated"] = bool(row["paginated"])
        for key in ("metadata_source", "source_info", "notes"):
            row[key] = json.loads(row[key])
        out.append(row)
    return out


def get_document(ws: Workspace, doc_id: int) -> dict:
    row = ws.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        raise WeerbaarError(
            f"Er is geen document met nummer {doc_id} in deze werkruimte.",
            hint="'weerbaar documenten' toont de nummers.",
        )
    return dict(row)


def correct_document(ws: Workspace, doc_id: int, values: dict[str, str]) -> dict:
    """Apply a person's corrections now, and remember them for later re-ingests of the same file.

    Raises ValueError (Dutch message) for an invalid value; nothing is changed then.
    """
    doc = get_document(ws, doc_id)
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
    with ws.transaction() as conn:
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
    return get_document(ws, doc_id)


def skipped_files(ws: Workspace) -> list[dict]:
    return [dict(r) for r in ws.conn.execute("SELECT * FROM skipped_files ORDER BY path")]


def workspace_counts(ws: Workspace) -> dict[str, int]:
    q = ws.conn.execute
    return {
        "documenten": q("SELECT count(*) FROM documents").fetchone()[0],
        "paginas": q("SELECT count(*) FROM pages").fetchone()[0],
        "passages": q("SELECT count(*) FROM passages").fetchone()[0],
        "overgeslagen": q("SELECT count(*) FROM skipped_files").fetchone()[0],
    }
