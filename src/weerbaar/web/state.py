"""What the web app keeps between requests: the workspace folder, the codebook, per-thread
connections, the review queues, their background re-ranker and the semantic index. One :class:`AppState` per app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from weerbaar.codebook import Codebook
from weerbaar.index.semantic import SemanticIndex
from weerbaar.review.queue import MeasureQueue
from weerbaar.review.reranker import Reranker
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters


@dataclass
class AppState:
    folder: Path
    codebook: Codebook
    default_reviewer: str | None = None
    public: bool = False  # bound beyond loopback: accounts required
    queues: dict = field(default_factory=dict)
    # Per app, not per class: two apps in one process (tests, scripts) must not share connections.
    local: threading.local = field(default_factory=threading.local)
    lock: threading.Lock = field(default_factory=threading.Lock)
    semantic: SemanticIndex = field(default_factory=SemanticIndex)
    idle: list[Workspace] = field(default_factory=list)  # connections no request holds (see connection)
    idle_lock: threading.Lock = field(default_factory=threading.Lock)
    reranker: Reranker | None = None  # re-ranks review queues off the request path

    def __post_init__(self) -> None:
        if self.reranker is None:
            self.reranker = Reranker(self.folder)

    def workspace(self) -> Workspace:
        """The connection of the calling thread, for code that runs and finishes in one thread."""
        ws = getattr(self.local, "ws", None)
        if ws is None:
            ws = self.local.ws = Workspace.open(self.folder)
        return ws

    @contextmanager
    def connection(self) -> Iterator[Workspace]:
        """A connection held by one request alone, from a pool. FastAPI runs a route's dependencies
        and its handler in different threads of its pool, so a thread's own connection must not be
        handed from a dependency to the handler: another request in that thread could use it at the
        same moment. A request uses its pooled connection one step after another, never at once."""
        with self.idle_lock:
            ws = self.idle.pop() if self.idle else None
        if ws is None:
            ws = Workspace.open(self.folder)
        try:
            yield ws
        finally:
            with self.idle_lock:
                self.idle.append(ws)

    def queue(self, measure_id: str, filters: DocumentFilters, threshold: float) -> MeasureQueue:
        key = (measure_id, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
        with self.lock:
            queue = self.queues.get(key)
            if queue is None or queue.threshold != threshold:
                queue = self.queues[key] = MeasureQueue(measure_id, filters, threshold, reranker=self.reranker,
                                                        max_stage=self.codebook.scale.maximum)
            return queue

    def mark_stale(self, measure_ids) -> None:
        """Decisions on these measures changed: their queues (every filter) get re-ranked in the
        background; the request that changed them does not wait."""
        wanted = set(measure_ids)
        with self.lock:
            queues = [q for q in self.queues.values() if q.measure_id in wanted]
        for queue in queues:
            queue.mark_stale()


def app_state(request: Request) -> AppState:
    return request.app.state.weerbaar


def workspace(request: Request) -> Workspace:
    """The workspace connection of the calling thread (for helpers that run within one thread)."""
    return app_state(request).workspace()


def request_workspace(request: Request) -> Iterator[Workspace]:
    """The dependency: a connection for this request alone, returned to the pool when it is done."""
    with app_state(request).connection() as ws:
        yield ws
