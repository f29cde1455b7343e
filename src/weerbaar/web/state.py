"""What the web app keeps between requests: the workspace folder, the codebook, per-thread and pooled
connections, and what the API's projects on this folder share (:class:`weerbaar.api.Shared`: the
review queues, their background re-ranker, the semantic index, the verdict cache). One
:class:`AppState` per app; each request gets a :class:`weerbaar.api.Project` on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from weerbaar.api import Project, Shared
from weerbaar.codebook import Codebook
from weerbaar.workspace import Workspace

if TYPE_CHECKING:
    from weerbaar.api import MeasureQueue, Reranker


@dataclass
class AppState:
    folder: Path
    codebook: Codebook
    default_reviewer: str | None = None
    public: bool = False  # bound beyond loopback: accounts required
    # Per app, not per class: two apps in one process (tests, scripts) must not share connections.
    local: threading.local = field(default_factory=threading.local)
    idle: list[Workspace] = field(default_factory=list)  # connections no request holds (see connection)
    idle_lock: threading.Lock = field(default_factory=threading.Lock)
    shared: Shared = field(init=False)

    def __post_init__(self) -> None:
        self.shared = Shared(self.folder, self.codebook)

    @property
    def reranker(self) -> Reranker:
        """Re-ranks the review queues off the request path."""
        return self.shared.reranker

    @property
    def queues(self) -> dict[tuple, MeasureQueue]:
        return self.shared.queues

    def project(self, ws: Workspace) -> Project:
        """The API's project on a connection this app holds (never closed by the project)."""
        return Project(ws, self.codebook, shared=self.shared)

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

    def mark_stale(self, measure_ids) -> None:
        """Decisions on these measures changed: their queues get re-ranked in the background."""
        self.shared.mark_stale(measure_ids)


def app_state(request: Request) -> AppState:
    return request.app.state.weerbaar


def workspace(request: Request) -> Workspace:
    """The workspace connection of the calling thread (for helpers that run within one thread)."""
    return app_state(request).workspace()


def request_workspace(request: Request) -> Iterator[Workspace]:
    """The dependency: a connection for this request alone, returned to the pool when it is done."""
    with app_state(request).connection() as ws:
        yield ws


def thread_project(request: Request) -> Project:
    """The project on the calling thread's connection (for helpers that run within one thread)."""
    state = app_state(request)
    return state.project(state.workspace())
