"""Search by meaning: the query's sentence embedding against the passage vectors' index.

The vectors live in the workspace's :class:`~weerbaar.index.vectors.VectorIndex` (usearch HNSW,
float32, a file beside the database kept in step with the store). Document filters are applied
after the index: it returns ``OVERFETCH`` times the wanted number of nearest passages and the
store keeps those that pass; when a narrow filter leaves too few, the passages that pass it are
searched exactly instead (their vectors from the index, one matrix product).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from weerbaar.embeddings import Embedder
from weerbaar.index.search import SearchHit
from weerbaar.index.vectors import VectorIndex, exact_scores
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters

OVERFETCH = 10  # nearest passages fetched per wanted one when filters apply
MIN_FETCH = 200


class SemanticIndex:
    def __init__(self, embedder: Embedder | None = None):
        self._embedder = embedder
        self._own = embedder is None
        self._lock = threading.Lock()
        self._indexes: dict[Path, VectorIndex] = {}

    def vector_index(self, ws: Workspace) -> VectorIndex:
        """The workspace's vector index, up to date with the store."""
        with self._lock:
            index = self._indexes.setdefault(Path(ws.folder).resolve(), VectorIndex(ws.folder))
        index.sync(ws)
        return index

    def encode(self, query: str) -> np.ndarray:
        with self._lock:
            if self._embedder is None:
                self._embedder = Embedder(workers=1)
            return self._embedder.encode([query])[0].astype(np.float32)

    def close(self) -> None:
        """Stop the sentence encoder this index started (not one it was given)."""
        if self._embedder is not None and self._own:
            self._embedder.close()
            self._embedder = None

    def search(self, ws: Workspace, query: str, filters: DocumentFilters | None = None, limit: int = 20) -> list[SearchHit]:
        index = self.vector_index(ws)
        if not len(index) or not query.strip():
            return []
        q = self.encode(query)
        filtered = filters is not None and bool(filters.where("d")[0])
        ids, scores = index.search(q, max(limit * OVERFETCH, MIN_FETCH) if filtered else limit)
        hits = _hits(ws, ids, scores, filters, limit)
        if len(hits) < limit and len(ids) < len(index):  # a narrow filter: search just its passages, exactly
            allowed = ws.search.passage_ids_with_vectors(filters or DocumentFilters())
            scores = exact_scores(index.vectors(allowed), q)
            best = np.argsort(-scores, kind="stable")[:limit]
            hits = _hits(ws, np.asarray(allowed, dtype=np.int64)[best], scores[best], filters, limit)
        return hits


def _hits(ws: Workspace, ids: np.ndarray, scores: np.ndarray, filters: DocumentFilters | None,
          limit: int) -> list[SearchHit]:
    """The passages among ``ids`` (best first) that pass the filters, at most ``limit``."""
    found = ws.search.passages([int(i) for i in ids], filters)
    hits = []
    for pid, score in zip(ids, scores):
        f = found.get(int(pid))
        if f is not None:
            hits.append(SearchHit(citation=f.citation, organisation_type=f.organisation_type, score=float(score)))
            if len(hits) >= limit:
                break
    return hits
