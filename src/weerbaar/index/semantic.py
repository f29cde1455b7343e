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
        count = ws.analysis.embedding_count()
        if count == self._count:
            return
        ids, blobs = ws.analysis.all_embeddings()
        self._ids = np.array(ids, dtype=np.int64)
        self._vectors = from_blobs(blobs).astype(np.float16)
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
        hits: list[SearchHit] = []
        # Best first; fetch in growing windows until enough pass the document filters.
        order = np.argsort(-scores)
        for window in range(0, len(order), 500):
            found = ws.search.passages([int(ids[i]) for i in order[window:window + 500]], filters)
            for i in order[window:window + 500]:
                f = found.get(int(ids[i]))
                if f is None:
                    continue
                hits.append(SearchHit(citation=f.citation, organisation_type=f.organisation_type, score=float(scores[i])))
                if len(hits) >= limit:
                    return hits
        return hits
