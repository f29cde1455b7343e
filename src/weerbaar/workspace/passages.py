"""Pages and passages: the text of every document, and the spans the rest of the tool quotes.

:class:`Passages` (``ws.passages``) owns the SQL on ``pages``, ``passages`` and the full-text index
rows written with them. A passage's ``text`` always equals ``page text[start:end]`` of its page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from weerbaar.workspace.records import Citation, Passage, PassageForAnalysis

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace

_CITATION_COLUMNS = """p.id AS passage_id, p.document_id, p.page_no, p.start, p.end, p.text,
                       d.organisation, d.doc_type, d.year, d.title, d.filename, d.paginated"""
_CHUNK = 500  # ids per IN (...) list: well below SQLite's limit on host parameters


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


class Passages:
    """The pages and passages repository of one workspace (``ws.passages``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    # Writing (inside the caller's transaction)
    def add(self, document_id: int, pages: Sequence[str], offsets: Sequence[int | None],
            spans: Iterable[tuple[int, int, int]], index_text: Callable[[str], str] | Sequence[str]) -> list[int]:
        """Store a document's pages and passages (``spans``: page number, start, end) with their
        full-text index rows (``index_text`` gives the indexed form of a passage, or is the list of
        those forms in passage order, made beforehand by an ingest worker); returns the
        passages' ids in order. ``offsets``: where each pseudo-page starts in the whole text, None on real pages.
        """
        conn = self.ws.conn
        conn.executemany(
            "INSERT INTO pages (document_id, page_no, text, text_offset) VALUES (?,?,?,?)",
            [(document_id, no, text, offset) for no, (text, offset) in enumerate(zip(pages, offsets), 1)],
        )
        # Explicit ids, so the index rows can share them without a round trip per passage.
        # sqlite_sequence holds the highest id ever used, also after deletes.
        used = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
        next_id = (used[0] if used else 0) + 1
        rows = [(next_id + seq, document_id, page_no, seq, start, end, pages[page_no - 1][start:end])
                for seq, (page_no, start, end) in enumerate(spans)]
        conn.executemany("INSERT INTO passages (id, document_id, page_no, seq, start, end, text) VALUES (?,?,?,?,?,?,?)",
                         rows)
        stems = [index_text(row[6]) for row in rows] if callable(index_text) else list(index_text)
        if len(stems) != len(rows):
            raise ValueError(f"{len(stems)} index forms for {len(rows)} passages")
        conn.executemany("INSERT INTO passages_fts (rowid, stems) VALUES (?, ?)",
                         [(row[0], stem) for row, stem in zip(rows, stems)])
        return [row[0] for row in rows]

    # Reading
    def count(self) -> int:
        return self.ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0]

    def of_document(self, document_id: int) -> list[Passage]:
        """A document's passages in reading order."""
        return [Passage(*r) for r in self.ws.conn.execute(
            "SELECT id, document_id, page_no, seq, start, end, text FROM passages WHERE document_id = ? ORDER BY seq",
            (document_id,))]

    def on_page(self, document_id: int, page_no: int) -> list[Passage]:
        """The passages of one page in reading order."""
        return [Passage(*r) for r in self.ws.conn.execute(
            """SELECT id, document_id, page_no, seq, start, end, text FROM passages
               WHERE document_id = ? AND page_no = ? ORDER BY seq""", (document_id, page_no))]

    def page_text(self, document_id: int, page_no: int) -> str | None:
        """The whole text of one (pseudo-)page, or None when there is no such page."""
        row = self.ws.conn.execute("SELECT text FROM pages WHERE document_id = ? AND page_no = ?",
                                   (document_id, page_no)).fetchone()
        return None if row is None else row[0]

    def pages(self) -> Iterator[tuple[int, int, str]]:
        """Every page as (document id, page number, text), in document and page order."""
        yield from (tuple(r) for r in self.ws.conn.execute(
            "SELECT document_id, page_no, text FROM pages ORDER BY document_id, page_no"))

    def citation(self, passage_id: int) -> Citation | None:
        """A passage at its place (document, page, offsets), or None when there is no such passage."""
        found = self.citations([passage_id])
        return found.get(passage_id)

    def citations(self, passage_ids: Sequence[int]) -> dict[int, Citation]:
        """Passages at their place, by id (one query per 500 ids); unknown ids are left out."""
        out: dict[int, Citation] = {}
        for chunk in _chunks(passage_ids):
            out.update((r["passage_id"], Citation.from_row(r)) for r in self.ws.conn.execute(
                f"""SELECT {_CITATION_COLUMNS} FROM passages p JOIN documents d ON d.id = p.document_id
                    WHERE p.id IN ({','.join('?' * len(chunk))})""", chunk))
        return out

    def texts(self, limit: int) -> list[str]:
        """The texts of the first ``limit`` passages (for benchmarks)."""
        return [r[0] for r in self.ws.conn.execute("SELECT text FROM passages ORDER BY id LIMIT ?", (limit,))]

    def for_analysis(self, passage_ids: Sequence[int], before_chars: int) -> dict[int, PassageForAnalysis]:
        """Passages with their document's metadata and up to ``before_chars`` of page text before them."""
        out: dict[int, PassageForAnalysis] = {}
        for chunk in _chunks(passage_ids):
            for r in self.ws.conn.execute(
                    f"""SELECT p.id, p.text, d.doc_type, d.year, d.organisation, d.organisation_type,
                               substr(g.text, max(1, p.start - ? + 1), p.start - max(0, p.start - ?))
                        FROM passages p JOIN documents d ON d.id = p.document_id
                        JOIN pages g ON g.document_id = p.document_id AND g.page_no = p.page_no
                        WHERE p.id IN ({','.join('?' * len(chunk))})""", [before_chars, before_chars, *chunk]):
                out[r[0]] = PassageForAnalysis(r[0], r[1], r[2], r[3], r[4], r[5], before=r[6] or "")
        return out
