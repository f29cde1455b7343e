"""The passage vectors as a persistent approximate-nearest-neighbour index (usearch HNSW, float32).

The store (``passage_embeddings``) stays the source of truth; this index is a cache of it in
``vectoren.usearch`` beside the database, rebuilt whenever it is missing or cannot be trusted.
It follows the store through the change log that triggers keep (``embedding_changes``, one row
per passage whose vector was added, replaced or removed, cascaded deletes of replaced documents
included): the file's high-water mark is kept in the workspace settings, and the changes after it
are replayed (remove the touched passages, add back those that still have a vector) instead of
rebuilding. After a replay the index must hold exactly as many vectors as the store; if not, it
is rebuilt. Replaying from an older mark is harmless, so a crash between writing the file and
recording its mark costs only a replay.

Why usearch (see docs/zoeken.md): maintained (monthly releases), Apache-2.0, wheels for Linux,
macOS and Windows, add and remove by key, save/load/memory-map of one file, 2 KB plus about
150 bytes of graph per 512-d float32 vector, and exact (brute-force) search in the same API, used
below ``EXACT_BELOW`` vectors where it is as fast and gives exactly the passages of a full scan.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from weerbaar.embeddings import DIMENSIONS, from_blobs
from weerbaar.workspace.db import file_lock

if TYPE_CHECKING:
    from usearch.index import Index

    from weerbaar.workspace import Workspace

INDEX_FILENAME = "vectoren.usearch"
LOCK_FILENAME = "vectoren.lock"
STATE_SETTING = "vectorindex"  # JSON: {"stand": high-water mark of the change log, "vectoren": count}
EXACT_BELOW = 20_000  # fewer vectors: brute-force search (as fast, and exactly the best passages)
CONNECTIVITY = 16  # HNSW edges per node
EXPANSION_ADD = 128  # usearch's default; measured in bench/bench_vector_search.py
EXPANSION_SEARCH = 128  # recall@10 1.0 at 100k, 0.983 at 300k vectors (bench/bench_vector_search.py; 1M not measured)
BUILD_BATCH = 50_000


def new_index() -> Index:
    """An empty index of 512-d float32 vectors compared by inner product (the embeddings are unit length)."""
    from usearch.index import Index

    return Index(ndim=DIMENSIONS, metric="ip", dtype="f32", connectivity=CONNECTIVITY,
                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)


class VectorIndex:
    """One workspace's passage vectors, searchable by similarity; :meth:`sync` before use."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / INDEX_FILENAME
        self._lock = threading.Lock()
        self._index: Index | None = None
        self._mark = -1
        self.rebuilt = False  # the last sync built the index from the store (for tests and reports)

    def __len__(self) -> int:
        return 0 if self._index is None else len(self._index)

    def sync(self, ws: Workspace, *, save: bool = True) -> None:
        """Bring the index up to date with the store; ``save`` writes the file when anything changed."""
        with self._lock:
            self.rebuilt = False
            changed = False
            if self._index is None:
                changed = self._open(ws)
            mark, touched, complete = ws.analysis.embedding_changes_since(self._mark)
            if not complete:  # the log was pruned past our mark: another process saved a newer file
                changed = self._open(ws) or changed
                mark, touched, _ = ws.analysis.embedding_changes_since(self._mark)
            if touched:
                self._apply(ws, touched)
                self._mark, changed = mark, True
            if len(self._loaded) != ws.analysis.embedding_count():  # stale beyond what the log says
                self._build(ws)
                changed = True
            if save and changed:
                self._save(ws)

    @property
    def _loaded(self) -> Index:
        """The index in memory (``refresh`` loads or builds it before any use)."""
        assert self._index is not None, "refresh() first"
        return self._index

    def search(self, query: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``count`` nearest passages to a unit ``query`` vector: (passage ids, similarities), best first."""
        index = self._index
        if index is None or not len(index) or count <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        count = min(count, len(index))
        matches = index.search(np.asarray(query, dtype=np.float32), count, exact=len(index) < EXACT_BELOW)
        return matches.keys.astype(np.int64), (1.0 - matches.distances).astype(np.float32)

    def vectors(self, passage_ids: list[int]) -> np.ndarray:
        """The indexed vectors of ``passage_ids`` (all present), as float32 rows."""
        if not passage_ids:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.asarray(self._loaded.get(np.asarray(passage_ids, dtype=np.uint64)), dtype=np.float32)

    # Keeping it in step with the store
    def _open(self, ws: Workspace) -> bool:
        """Load the file and its mark; build from the store when there is none. True: the file must be written."""
        state = _state(ws)
        if state is not None and self.path.exists():
            index: Index | None = new_index()
            try:
                index.load(str(self.path))  # type: ignore[union-attr]  # just made
            except Exception:  # noqa: BLE001 - a damaged or foreign file is only a cache: rebuild it
                index = None
            if index is not None and index.ndim == DIMENSIONS:
                index.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]  # settable; usearch's stub says read-only
                if ws.analysis.embedding_changes_since(state["stand"])[2]:  # the log holds every later change
                    self._index, self._mark = index, state["stand"]
                    return False
        self._build(ws)
        return True

    def _build(self, ws: Workspace) -> None:
        mark = ws.analysis.embedding_change_mark()  # first: changes made while we read get replayed later
        index = new_index()
        for ids, blobs in ws.analysis.embeddings_batches(BUILD_BATCH):
            index.add(np.asarray(ids, dtype=np.uint64), from_blobs(blobs))
        self._index, self._mark, self.rebuilt = index, mark, True

    def _apply(self, ws: Workspace, touched: set[int]) -> None:
        ids = sorted(touched)
        index = self._loaded
        present = [i for i in ids if index.contains(i)]
        if present:
            index.remove(np.asarray(present, dtype=np.uint64))
        stored = ws.analysis.vectors_of(ids)
        if stored:
            keys = sorted(stored)
            index.add(np.asarray(keys, dtype=np.uint64), from_blobs([stored[k] for k in keys]))

    def _save(self, ws: Workspace) -> None:
        """Write the file (atomically) and then its mark; one writer at a time, others skip (their copy is current)."""
        with file_lock(self.path.with_name(LOCK_FILENAME)) as mine:
            if not mine:
                return
            temporary = self.path.with_name(self.path.name + ".tmp")
            self._loaded.save(str(temporary))
            os.replace(temporary, self.path)
            ws.settings.set(STATE_SETTING, json.dumps({"stand": self._mark, "vectoren": len(self._loaded)}))
            ws.analysis.prune_embedding_changes(self._mark)


def _state(ws: Workspace) -> dict | None:
    raw = ws.settings.get(STATE_SETTING)
    try:
        state = json.loads(raw) if raw else None
        return state if isinstance(state, dict) and isinstance(state.get("stand"), int) else None
    except ValueError:
        return None


def exact_scores(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Inner products of float32 rows with the query: the exact search a narrow filter uses."""
    return vectors @ np.asarray(query, dtype=np.float32)
