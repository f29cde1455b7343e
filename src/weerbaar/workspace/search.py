"""Full-text search in the store: the FTS5 query over the passages' stems, and its vocabulary.

:class:`FullTextSearch` (``ws.search``) runs an FTS5 expression that ``weerbaar.index.search``
made from a person's query; turning words into stems is the index's job, not the store's.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from weerbaar.errors import QueryError
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.records import Citation, FoundPassage

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace


class FullTextSearch:
    """The full-text index of one workspace (``ws.search``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    def match(self, fts_expression: str, filters: DocumentFilters | None = None, *, limit: int = 20,
              offset: int = 0) -> list[FoundPassage]:
        """Passages matching an FTS5 expression over stems, best (BM25) first, within the document filters."""
        conditions, args = (filters or DocumentFilters()).where("d")
        sql = f"""
            SELECT p.id AS passage_id, p.document_id, p.page_no, p.start, p.end, p.text, bm25(passages_fts) AS rank,
                   d.organisation, d.organisation_type, d.doc_type, d.year, d.title, d.filename, d.paginated
            FROM passages_fts
            JOIN passages p ON p.id = passages_fts.rowid
            JOIN documents d ON d.id = p.document_id
            WHERE {' AND '.join(['passages_fts MATCH ?', *conditions])}
            ORDER BY rank
            LIMIT ? OFFSET ?"""
        try:
            rows = self.ws.conn.execute(sql, [fts_expression, *args, limit, offset]).fetchall()
        except sqlite3.OperationalError as exc:  # an FTS syntax problem
            raise QueryError(f"De zoekvraag kon niet worden uitgevoerd ({exc}).") from exc
        return [FoundPassage(Citation.from_row(r), r["organisation_type"], r["rank"]) for r in rows]

    def passages(self, passage_ids: list[int], filters: DocumentFilters | None = None) -> dict[int, FoundPassage]:
        """The passages among ``passage_ids`` that pass the document filters, by id (search by meaning)."""
        conditions, args = (filters or DocumentFilters()).where("d")
        if not passage_ids:
            return {}
        rows = self.ws.conn.execute(
            f"""SELECT p.id AS passage_id, p.document_id, p.page_no, p.start, p.end, p.text, d.organisation,
                       d.organisation_type, d.doc_type, d.year, d.title, d.filename, d.paginated
                FROM passages p JOIN documents d ON d.id = p.document_id
                WHERE {' AND '.join([f"p.id IN ({','.join('?' * len(passage_ids))})", *conditions])}""",
            [*passage_ids, *args])
        return {r["passage_id"]: FoundPassage(Citation.from_row(r), r["organisation_type"], 0.0) for r in rows}

    def passage_ids_with_vectors(self, filters: DocumentFilters) -> list[int]:
        """The passages with a stored vector whose document passes ``filters`` (search by meaning
        within a narrow filter, exactly over just these)."""
        conditions, args = filters.where("d")
        rows = self.ws.conn.execute(
            f"""SELECT e.passage_id FROM passage_embeddings e
                JOIN passages p ON p.id = e.passage_id JOIN documents d ON d.id = p.document_id
                {('WHERE ' + ' AND '.join(conditions)) if conditions else ''} ORDER BY e.passage_id""", args)
        return [r[0] for r in rows]

    def vocabulary(self, stems: set[str]) -> tuple[int, int, dict[str, int]]:
        """(passages, indexed tokens, passages containing each of ``stems``): corpus statistics for BM25."""
        conn = self.ws.conn
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocab USING fts5vocab(main, passages_fts, 'row')")
        n = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        if not n:
            return 0, 0, {}
        total = conn.execute("SELECT coalesce(sum(cnt), 0) FROM temp.passages_vocab").fetchone()[0]
        df: dict[str, int] = {}
        wanted = sorted(stems)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = conn.execute(
                f"SELECT term, doc FROM temp.passages_vocab WHERE term IN ({','.join('?' * len(chunk))})", chunk)
            df.update({term: doc for term, doc in rows})
        return n, total, df
