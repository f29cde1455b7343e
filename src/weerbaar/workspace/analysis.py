"""What ``analyseer`` stores: its runs, each passage's analysis, the suggestions, and the embeddings.

:class:`AnalysisStore` (``ws.analysis``) owns the SQL on ``analysis_runs``, ``passage_analysis``,
``suggestions`` and ``passage_embeddings``. Writes go per chunk of passages, one transaction each,
so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from weerbaar.workspace.db import timestamp
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.records import AnalysisRun, Citation, PassageAnalysis, SuggestedEvidence, Suggestion

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace

_CHUNK = 500  # ids per IN (...) list


class AnalysisStore:
    """The analysis results of one workspace (``ws.analysis``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    # Runs
    def start_run(self, config_key: str, config: dict) -> int:
        """Record the start of a run with the configuration that produces its results; returns its id."""
        with self.ws.transaction() as conn:
            run_id: int = conn.execute(  # type: ignore[assignment]  # an INSERT always sets lastrowid
                "INSERT INTO analysis_runs (config_key, config, started_at) VALUES (?,?,?)",
                (config_key, json.dumps(config, ensure_ascii=False), timestamp())).lastrowid
        return run_id

    def finish_run(self, run_id: int, passages: int) -> None:
        with self.ws.transaction() as conn:
            conn.execute("UPDATE analysis_runs SET finished_at = ?, passages = ? WHERE id = ?",
                         (timestamp(), passages, run_id))

    def latest_finished(self) -> AnalysisRun | None:
        """The last run that finished, or None when the workspace was never analysed."""
        row = self.ws.conn.execute(
            """SELECT id, config_key, config, started_at, finished_at, passages FROM analysis_runs
               WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1""").fetchone()
        if row is None:
            return None
        return AnalysisRun(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5])

    def threshold(self) -> float | None:
        """The suggestion threshold of the last finished analysis, or None when never analysed."""
        run = self.latest_finished()
        return None if run is None else float(run.config["threshold"])

    def pending(self, config_key: str) -> list[int]:
        """Passages not yet analysed with this configuration, in id order."""
        return [r[0] for r in self.ws.conn.execute(
            """SELECT p.id FROM passages p LEFT JOIN passage_analysis a ON a.passage_id = p.id
               WHERE a.passage_id IS NULL OR a.config_key != ? ORDER BY p.id""", (config_key,))]

    # Results
    def store(self, passage_ids: Sequence[int], analyses: Sequence[PassageAnalysis],
              suggestions: Sequence[Suggestion]) -> None:
        """Replace the analyses and suggestions of ``passage_ids`` with new ones, in one transaction."""
        with self.ws.transaction() as conn:
            for i in range(0, len(passage_ids), _CHUNK):
                chunk = list(passage_ids[i : i + _CHUNK])
                conn.execute(f"DELETE FROM suggestions WHERE passage_id IN ({','.join('?' * len(chunk))})", chunk)
            conn.executemany(
                """INSERT OR REPLACE INTO passage_analysis (passage_id, config_key, run_id, stage, stage_cue,
                   vulnerable_terms, subject_kind, subject_name, subject_cue) VALUES (?,?,?,?,?,?,?,?,?)""",
                [(a.passage_id, a.config_key, a.run_id, a.stage, a.stage_cue,
                  json.dumps(a.vulnerable_terms, ensure_ascii=False), a.subject_kind, a.subject_name, a.subject_cue)
                 for a in analyses])
            conn.executemany(
                """INSERT INTO suggestions (passage_id, measure_id, score, lexical, semantic, elements)
                   VALUES (?,?,?,?,?,?)""",
                [(s.passage_id, s.measure_id, s.score, s.lexical, s.semantic,
                  json.dumps(s.elements, ensure_ascii=False)) for s in suggestions])

    def of_passage(self, passage_id: int) -> PassageAnalysis | None:
        row = self.ws.conn.execute(
            """SELECT passage_id, config_key, run_id, stage, stage_cue, vulnerable_terms, subject_kind, subject_name,
                      subject_cue FROM passage_analysis WHERE passage_id = ?""", (passage_id,)).fetchone()
        if row is None:
            return None
        return PassageAnalysis(row[0], row[1], row[2], row[3], row[4], json.loads(row[5] or "[]"), *row[6:])

    def suggestions_for(self, passage_id: int, limit: int = 6) -> list[Suggestion]:
        """A passage's suggested measures, best first."""
        return [_suggestion(r) for r in self.ws.conn.execute(
            """SELECT passage_id, measure_id, score, lexical, semantic, elements FROM suggestions
               WHERE passage_id = ? ORDER BY score DESC LIMIT ?""", (passage_id, limit))]

    def suggested_on_document(self, document_id: int, min_score: float) -> dict[int, list[tuple[str, float]]]:
        """Per passage of a document: (measure, score) pairs at or above ``min_score``, best first."""
        out: dict[int, list[tuple[str, float]]] = {}
        for r in self.ws.conn.execute(
                """SELECT s.passage_id, s.measure_id, s.score FROM suggestions s JOIN passages p ON p.id = s.passage_id
                   WHERE p.document_id = ? AND s.score >= ? ORDER BY s.score DESC""", (document_id, min_score)):
            out.setdefault(r[0], []).append((r[1], r[2]))
        return out

    def suggestion_count(self, min_score: float | None = None) -> int:
        """How many passage x measure pairs are stored (at or above ``min_score`` when given)."""
        if min_score is None:
            return self.ws.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
        return self.ws.conn.execute("SELECT count(*) FROM suggestions WHERE score >= ?", (min_score,)).fetchone()[0]

    def ranked(self, measure_id: str, filters: DocumentFilters | None = None, *, min_score: float | None = None,
               passage_id: int | None = None, limit: int = 20) -> list[SuggestedEvidence]:
        """A measure's suggestions with their passage and its analysis, best first (one query)."""
        conditions, args = (filters or DocumentFilters()).where("d")
        if min_score is not None:
            conditions, args = [*conditions, "s.score >= ?"], [*args, min_score]
        if passage_id is not None:
            conditions, args = [*conditions, "s.passage_id = ?"], [*args, passage_id]
        rows = self.ws.conn.execute(
            f"""SELECT s.passage_id, s.measure_id, s.score, s.lexical, s.semantic, s.elements,
                       a.stage, a.stage_cue, a.vulnerable_terms, p.document_id, p.page_no, p.start, p.end, p.text,
                       d.organisation, d.doc_type, d.year, d.title, d.filename, d.paginated
                FROM suggestions s JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.id = p.document_id
                JOIN passage_analysis a ON a.passage_id = s.passage_id
                WHERE {' AND '.join(['s.measure_id = ?', *conditions])} ORDER BY s.score DESC, s.passage_id LIMIT ?""",
            [measure_id, *args, limit]).fetchall()
        return [SuggestedEvidence(citation=Citation.from_row(r), suggestion=_suggestion(r), stage=r["stage"],
                                  stage_cue=r["stage_cue"], vulnerable_terms=json.loads(r["vulnerable_terms"]))
                for r in rows]

    def pairs_by_measure(self) -> list[tuple[str, int]]:
        """Every (measure, passage) suggestion, per measure best first: what a review queue walks through."""
        return [(r[0], r[1]) for r in self.ws.conn.execute(
            "SELECT measure_id, passage_id FROM suggestions ORDER BY measure_id, score DESC")]

    def sample_pairs(self, n: int) -> list[tuple[int, str]]:
        """``n`` random (passage, measure) suggestions (for benchmarks that decide at random)."""
        return [(r[0], r[1]) for r in self.ws.conn.execute(
            "SELECT passage_id, measure_id FROM suggestions ORDER BY random() LIMIT ?", (n,))]

    def busiest_measure(self) -> str | None:
        """The measure with the most suggestions."""
        row = self.ws.conn.execute(
            "SELECT measure_id FROM suggestions GROUP BY measure_id ORDER BY count(*) DESC LIMIT 1").fetchone()
        return None if row is None else row[0]

    def fingerprint(self) -> tuple:
        """Changes with a new analysis, an ingest (documents added, replaced or removed) and a metadata
        correction (an organisation renamed): everything derived from analysis results depends on these."""
        return tuple(self.ws.conn.execute(
            """SELECT (SELECT max(id) FROM analysis_runs), (SELECT max(finished_at) FROM analysis_runs),
                      (SELECT count(*) FROM documents), (SELECT max(id) FROM documents),
                      (SELECT total(id * length(coalesce(organisation, ''))) FROM documents),
                      (SELECT max(ingested_at) FROM documents),
                      (SELECT max(rowid) FROM metadata_corrections)""").fetchone())  # REPLACE gives a new rowid

    # Embeddings
    def embeddings(self, model: str, passage_ids: Sequence[int]) -> dict[int, bytes]:
        """The stored vectors (blobs) of ``passage_ids`` made with ``model``."""
        out: dict[int, bytes] = {}
        for i in range(0, len(passage_ids), _CHUNK):
            chunk = list(passage_ids[i : i + _CHUNK])
            out.update((r[0], r[1]) for r in self.ws.conn.execute(
                f"SELECT passage_id, vector FROM passage_embeddings WHERE model = ? AND passage_id IN "
                f"({','.join('?' * len(chunk))})", [model, *chunk]))
        return out

    def store_embeddings(self, model: str, vectors: Sequence[tuple[int, bytes]]) -> None:
        """Keep (passage id, vector blob) pairs made with ``model``, in one transaction."""
        with self.ws.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO passage_embeddings (passage_id, model, vector) VALUES (?,?,?)",
                             [(pid, model, blob) for pid, blob in vectors])

    def embedding_count(self) -> int:
        return self.ws.conn.execute("SELECT count(*) FROM passage_embeddings").fetchone()[0]

    def all_embeddings(self) -> tuple[list[int], list[bytes]]:
        """Every stored vector, in passage order: (ids, blobs)."""
        rows = self.ws.conn.execute("SELECT passage_id, vector FROM passage_embeddings ORDER BY passage_id").fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    def embeddings_batches(self, batch: int = 50_000) -> Iterator[tuple[list[int], list[bytes]]]:
        """Every stored vector in passage order, ``batch`` at a time (a national index without every blob in memory)."""
        after = -1
        while True:
            rows = self.ws.conn.execute("SELECT passage_id, vector FROM passage_embeddings WHERE passage_id > ? "
                                        "ORDER BY passage_id LIMIT ?", (after, batch)).fetchall()
            if not rows:
                return
            yield [r[0] for r in rows], [r[1] for r in rows]
            after = rows[-1][0]

    def vectors_of(self, passage_ids: Sequence[int]) -> dict[int, bytes]:
        """The stored vectors of ``passage_ids`` whatever their model (absent: no vector)."""
        out: dict[int, bytes] = {}
        for i in range(0, len(passage_ids), _CHUNK):
            chunk = list(passage_ids[i : i + _CHUNK])
            out.update((r[0], r[1]) for r in self.ws.conn.execute(
                f"SELECT passage_id, vector FROM passage_embeddings WHERE passage_id IN ({','.join('?' * len(chunk))})",
                chunk))
        return out

    # The change log of the vectors (migration m008), replayed by the vector index
    def embedding_change_mark(self) -> int:
        """The sequence number of the last change to any passage's vector (0: none yet)."""
        row = self.ws.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'embedding_changes'").fetchone()
        return int(row[0]) if row else 0

    def embedding_changes_since(self, mark: int) -> tuple[int, set[int], bool]:
        """(new mark, passages whose vector changed after ``mark``, whether the log still holds every
        one of those changes: False when it was pruned past ``mark``, and the caller cannot catch up from it)."""
        conn = self.ws.conn
        last = self.embedding_change_mark()
        if last <= mark:
            return mark, set(), True
        oldest = conn.execute("SELECT min(seq) FROM embedding_changes").fetchone()[0]
        if oldest is None or oldest > mark + 1:
            return mark, set(), False
        rows = conn.execute("SELECT seq, passage_id FROM embedding_changes WHERE seq > ? ORDER BY seq",
                            (mark,)).fetchall()
        return (rows[-1][0] if rows else mark), {r[1] for r in rows}, True

    def prune_embedding_changes(self, through: int) -> None:
        """Forget changes up to ``through`` (a saved index file holds them)."""
        with self.ws.transaction() as conn:
            conn.execute("DELETE FROM embedding_changes WHERE seq <= ?", (through,))


def _suggestion(r) -> Suggestion:
    return Suggestion(passage_id=r["passage_id"], measure_id=r["measure_id"], score=r["score"], lexical=r["lexical"],
                      semantic=r["semantic"], elements=json.loads(r["elements"] or "{}"))
