"""What the web app keeps between requests: the workspace folder, the codebook, per-thread
connections, the review queues and the semantic index. One :class:`AppState` per app."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from weerbaar.codebook import Codebook
from weerbaar.index.semantic import SemanticIndex
from weerbaar.review.queue import MeasureQueue
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

    def workspace(self) -> Workspace:
        ws = getattr(self.local, "ws", None)
        if ws is None:
            ws = self.local.ws = Workspace.open(self.folder)
        return ws

    def queue(self, measure_id: str, filters: DocumentFilters, threshold: float) -> MeasureQueue:
        key = (measure_id, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
        with self.lock:
            queue = self.queues.get(key)
            if queue is None or queue.threshold != threshold:
                queue = self.queues[key] = MeasureQueue(measure_id, filters, threshold)
            return queue


def app_state(request: Request) -> AppState:
    return request.app.state.weerbaar


def workspace(request: Request) -> Workspace:
    """The workspace connection of this request's thread."""
    return app_state(request).workspace()
