"""Search by meaning: the query's sentence embedding against the stored passage embeddings.

The passage vectors ``analyseer`` stored are loaded once (float16, 1 KB per passage: about
100 MB for 100k passages) and kept until the number of embeddings changes.
"""

from __future__ import annotations

import threading

import numpy as np

from weerbaar.embeddings import Embedder, from_blobs
from weerbaar.index.search import SearchHit
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters


class SemanticIndex:
    def __init__(self, embedder: Embedder | None = None):
        self._embedder = embedder
        self._lock = threading.Lock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._vectors = np.zeros((0, 0), dtype=np.float16)
        self._count = -1

    def _load(self, ws: Workspace) -> None:
        count = ws.conn.execute("SELECT count(*) FROM passage_embeddings").fetchone()[0]
        if count == self._count:
            return
        rows = ws.conn.execute("SELECT passage_id, vector FROM passage_embeddings ORDER BY passage_id").fetchall()
        self._ids = np.array([r[0] for r in rows], dtype=np.int64)
        self._vectors = from_blobs([r[1] for r in rows]).astype(np.float16)
        self._count = count

    def search(self, ws: Workspace, query: str, filters: DocumentFilters | None = None, limit: int = 20) -> list[SearchHit]:
        with self._lock:
            self._load(ws)
            if self._embedder is None:
                self._embedder = Embedder(workers=1)
            if not len(self._ids) or not query.strip():
                return []
            q = self._embedder.encode([query])[0].astype(np.float32)
            scores = self._vectors @ q.astype(np.float16)
            ids, scores = self._ids, scores.astype(np.float32)
        conditions, args = (filters or DocumentFilters()).where("d")
        hits: list[SearchHit] = []
        # Best first; fetch in growing windows until enough pass the document filters.
        order = np.argsort(-scores)
        for window in range(0, len(order), 500):
            chunk = [int(ids[i]) for i in order[window:window + 500]]
            placeholders = ",".join("?" * len(chunk))
            rows = {r["id"]: r for r in ws.conn.execute(
                f"""SELECT p.id, p.document_id, p.page_no, p.start, p.end, p.text, d.organisation, d.organisation_type,
                           d.doc_type, d.year, d.title, d.filename, d.paginated
                    FROM passages p JOIN documents d ON d.id = p.document_id
                    WHERE {' AND '.join([f'p.id IN ({placeholders})', *conditions])}""", [*chunk, *args])}
            for i in order[window:window + 500]:
                r = rows.get(int(ids[i]))
                if r is None:
                    continue
                hits.append(SearchHit(
                    passage_id=r["id"], document_id=r["document_id"], organisation=r["organisation"],
                    organisation_type=r["organisation_type"], doc_type=r["doc_type"], year=r["year"], title=r["title"],
                    filename=r["filename"], page_no=r["page_no"], paginated=bool(r["paginated"]), start=r["start"],
                    end=r["end"], text=r["text"], score=float(scores[i])))
                if len(hits) >= limit:
                    return hits
        return hits
