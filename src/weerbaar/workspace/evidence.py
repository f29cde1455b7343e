"""Reading evidence: what verdicts, review queues and the review screen read about passages,
suggestions and documents (``ws.evidence``). Rows come back as plain tuples and records; the
rules that turn them into verdicts live in :mod:`weerbaar.assess.verdicts`.

Memory: only what a caller names is read (passages in chunks of :data:`CHUNK`), titles capped,
and suggestions above the threshold without their texts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace
    from weerbaar.workspace.documents import DocumentFilters

CHUNK = 500  # ids per IN (...) list
#: Bodies other than the document's own organisation that a passage can speak for.
OTHER_BODIES = ("veiligheidsregio", "ggd", "andere_gemeente")
#: Whom a passage's evidence counts for (issue #10): the body it speaks for, as ``analyseer`` found
#: it — the safety region, the GGD or another municipality when the passage speaks for them (a
#: council bundle quoting the region's budget), nobody for national policy and research about
#: organisations in general, else the document's own organisation. An SQL expression over the
#: passage ``p`` and its document ``d``; a reviewer's correction on a decision overrides it.
EVIDENCE_ORGANISATION_SQL = (
    f"(SELECT CASE WHEN x.subject_kind IN ({', '.join(repr(k) for k in OTHER_BODIES)}) THEN x.subject_name "
    "WHEN x.subject_kind IN ('rijk', 'algemeen', 'ander') THEN NULL ELSE d.organisation END "
    "FROM (SELECT 1) LEFT JOIN passage_analysis x ON x.passage_id = p.id)")


class ScoredMeasure(NamedTuple):
    measure_id: str
    score: float


class EvidenceReader:
    """Read-only queries over passages, their analysis, suggestions and documents."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    # -- verdicts ----------------------------------------------------------------------------

    @staticmethod
    def _cell_filter(organisation: str | None, measure_id: str | None) -> tuple[str, list]:
        where, args = "", []
        if organisation is not None:
            where += f" AND {EVIDENCE_ORGANISATION_SQL} = ?"
            args.append(organisation)
        if measure_id is not None:
            where += " AND s.measure_id = ?"
            args.append(measure_id)
        return where, args

    def cell_candidates(self, threshold: float, organisation: str | None = None,
                        measure_id: str | None = None) -> dict[tuple[str, str], tuple[int, float]]:
        """(organisation counted for, measure) → (suggestions at or above the threshold, summed scores)."""
        where, args = self._cell_filter(organisation, measure_id)
        return {(r[0], r[1]): (r[2], r[3]) for r in self.ws.conn.execute(
            f"""SELECT {EVIDENCE_ORGANISATION_SQL} AS org, s.measure_id, sum(s.score >= ?), total(s.score)
                FROM suggestions s JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.id = p.document_id
                WHERE {EVIDENCE_ORGANISATION_SQL} IS NOT NULL {where} GROUP BY 1, 2""", (threshold, *args))}

    def suggestions_above(self, threshold: float, organisation: str | None = None, measure_id: str | None = None):
        """Suggestions at or above the threshold, without texts: (passage, measure, score, organisation
        counted for, elements JSON, document, page, start, end, stage, cue, vulnerable terms JSON)."""
        where, args = self._cell_filter(organisation, measure_id)
        return (tuple(r) for r in self.ws.conn.execute(
            f"""SELECT s.passage_id, s.measure_id, s.score, {EVIDENCE_ORGANISATION_SQL}, s.elements, p.document_id,
                       p.page_no, p.start, p.end, a.stage, a.stage_cue, a.vulnerable_terms
                FROM suggestions s JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.id = p.document_id
                LEFT JOIN passage_analysis a ON a.passage_id = s.passage_id
                WHERE s.score >= ? AND {EVIDENCE_ORGANISATION_SQL} IS NOT NULL {where}""", (threshold, *args)))

    def documents(self, title_chars: int) -> list[tuple]:
        """(id, organisation, title capped at ``title_chars``, type, year, paginated, file name) of
        documents with an organisation."""
        return [tuple(r) for r in self.ws.conn.execute(
            f"""SELECT id, organisation, substr(coalesce(nullif(title, ''), filename), 1, {int(title_chars)}), doc_type,
                       year, paginated, filename FROM documents WHERE organisation IS NOT NULL""")]

    def passages(self, ids) -> dict[int, tuple]:
        """passage → (document, page, start, end, text, stage, cue, vulnerable JSON, organisation counted for)."""
        ids = sorted(set(ids))
        out = {}
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            for r in self.ws.conn.execute(
                    f"""SELECT p.id, p.document_id, p.page_no, p.start, p.end, p.text, a.stage, a.stage_cue,
                               a.vulnerable_terms, {EVIDENCE_ORGANISATION_SQL}
                        FROM passages p JOIN documents d ON d.id = p.document_id
                        LEFT JOIN passage_analysis a ON a.passage_id = p.id
                        WHERE p.id IN ({','.join('?' * len(chunk))})""", chunk):
                out[r[0]] = tuple(r)[1:]
        return out

    def texts(self, ids) -> dict[int, str]:
        ids = sorted(set(ids))
        out: dict[int, str] = {}
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            out.update(self.ws.conn.execute(f"SELECT id, text FROM passages WHERE id IN ({','.join('?' * len(chunk))})",
                                            chunk))
        return out

    def suggested_elements(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Any]:
        """(passage, measure) → the evidence elements the analysis found (parsed JSON)."""
        out = {}
        for i in range(0, len(keys), 400):
            chunk = keys[i:i + 400]
            clause = " OR ".join("(passage_id = ? AND measure_id = ?)" for _ in chunk)
            for pid, mid, elements in self.ws.conn.execute(
                    f"SELECT passage_id, measure_id, elements FROM suggestions WHERE {clause}",
                    [x for key in chunk for x in key]):
                out[(pid, mid)] = json.loads(elements)
        return out

    def subject_documents(self) -> dict[str, set[int]]:
        """Bodies that passages in organisations' documents speak for → those documents: as the
        analysis found them, and as reviewers corrected them (active decisions)."""
        out: dict[str, set[int]] = defaultdict(set)
        kinds = ", ".join(repr(k) for k in OTHER_BODIES)
        for name, document in self.ws.conn.execute(
                f"""SELECT DISTINCT a.subject_name, p.document_id FROM passage_analysis a JOIN passages p ON p.id = a.passage_id
                    JOIN documents d ON d.id = p.document_id
                    WHERE a.subject_kind IN ({kinds}) AND a.subject_name IS NOT NULL AND d.organisation IS NOT NULL"""):
            out[name].add(document)
        for name, sha in self.ws.decisions.subject_documents():
            row = self.ws.conn.execute("SELECT id FROM documents WHERE sha256 = ? AND organisation IS NOT NULL",
                                       (sha,)).fetchone()
            if row:
                out[name].add(row[0])
        return out

    # -- review queue and review screen ------------------------------------------------------

    def queue_candidates(self, measure_id: str, filters: DocumentFilters) -> list[tuple]:
        """A measure's suggestions within the filters: (passage, score, lexical, semantic, stage, elements JSON)."""
        conditions, args = filters.where("d")
        return [tuple(r) for r in self.ws.conn.execute(
            f"""SELECT s.passage_id, s.score, s.lexical, s.semantic, a.stage, s.elements
                FROM suggestions s JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.id = p.document_id
                JOIN passage_analysis a ON a.passage_id = s.passage_id
                WHERE {' AND '.join(['s.measure_id = ?', *conditions])}""", [measure_id, *args])]

    def latest_run(self) -> int | None:
        """The id of the last finished analysis run (None before any)."""
        return self.ws.conn.execute("SELECT max(id) FROM analysis_runs WHERE finished_at IS NOT NULL").fetchone()[0]

    def candidates_per_measure(self, threshold: float, filters: DocumentFilters) -> dict[str, int]:
        """measure → suggestions at or above the threshold within the filters."""
        conditions, args = filters.where("d")
        where = " AND ".join(["s.score >= ?", *conditions])
        return dict(self.ws.conn.execute(
            f"""SELECT s.measure_id, count(*) FROM suggestions s JOIN passages p ON p.id = s.passage_id
                JOIN documents d ON d.id = p.document_id WHERE {where} GROUP BY s.measure_id""",
            [threshold, *args]).fetchall())

    def document_types(self) -> list[str | None]:
        return [r[0] for r in self.ws.conn.execute("SELECT DISTINCT doc_type FROM documents ORDER BY 1")]

    def page_text(self, document_id: int, page_no: int) -> str | None:
        row = self.ws.conn.execute("SELECT text FROM pages WHERE document_id = ? AND page_no = ?",
                                   (document_id, page_no)).fetchone()
        return row[0] if row else None

    def passage_with_document(self, passage_id: int):
        """A passage with its document's metadata and its analysis (a row by column name), or None."""
        return self.ws.conn.execute(
            """SELECT p.*, d.organisation, d.doc_type, d.year, d.title, d.filename, d.paginated, a.stage, a.stage_cue,
                      a.vulnerable_terms FROM passages p JOIN documents d ON d.id = p.document_id
               LEFT JOIN passage_analysis a ON a.passage_id = p.id WHERE p.id = ?""", (passage_id,)).fetchone()

    def document_file(self, document_id: int) -> tuple[str, str] | None:
        """(format, path) of a document."""
        row = self.ws.conn.execute("SELECT format, path FROM documents WHERE id = ?", (document_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def top_suggestions(self, passage_id: int, limit: int = 6) -> list[ScoredMeasure]:
        """A passage's best suggestions, best first."""
        return [ScoredMeasure(*r) for r in self.ws.conn.execute(
            "SELECT measure_id, score FROM suggestions WHERE passage_id = ? ORDER BY score DESC LIMIT ?",
            (passage_id, limit))]

    def detected_subject(self, passage_id: int) -> tuple[str | None, str | None, str | None]:
        """(kind, name, cue) of whom the analysis found the passage speaks for."""
        row = self.ws.conn.execute(
            "SELECT subject_kind, subject_name, subject_cue FROM passage_analysis WHERE passage_id = ?",
            (passage_id,)).fetchone()
        return (row[0], row[1], row[2]) if row else (None, None, None)
