"""Re-ranking review queues off the request path: one background thread per web app.

A request that records a decision only marks the measure's queues stale (:meth:`Reranker.request`);
this worker re-ranks them, one at a time, with its own workspace connection (SQLite connections
belong to one thread), and each queue publishes its new order in one reference swap. Bursts
coalesce: a queue waits at most once in line however many decisions mark it, and the worker reads
the decisions as they are when it starts, so the latest state wins.

A thread rather than Starlette's background tasks: those run per request (no coalescing across
requests, so a burst of decisions would queue a burst of fits), in the request's thread pool that
serves pages too, and have no place to stop at shut-down; a single worker also means one
scikit-learn fit at a time on a 2-core machine, whatever the number of reviewers.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from weerbaar.review.queue import MeasureQueue
from weerbaar.workspace import Workspace

log = logging.getLogger(__name__)
THREAD_NAME = "weerbaar-herordening"


class Reranker:
    """The background worker; started on the first request for work, stopped by :meth:`stop`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._pending: dict[int, MeasureQueue] = {}  # insertion order: first marked, first re-ranked
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        self.reranked = 0  # re-rankings published (for tests and benchmarks)

    def request(self, queue: MeasureQueue) -> None:
        """Have ``queue`` re-ranked soon; returns at once. A queue already in line is not added twice."""
        with self._changed:
            if self._stopping:
                return
            self._pending.setdefault(id(queue), queue)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def _next(self) -> MeasureQueue | None:
        with self._changed:
            self._busy = False
            self._changed.notify_all()
            while not self._pending and not self._stopping:
                self._changed.wait()
            if self._stopping:
                return None
            key = next(iter(self._pending))
            self._busy = True
            return self._pending.pop(key)

    def _run(self) -> None:
        ws = Workspace.open(self.folder)
        try:
            while (queue := self._next()) is not None:
                try:
                    if queue.rerank(ws):
                        self.reranked += 1
                except Exception:  # a failed fit keeps the last order; the next decision tries again
                    log.exception("herordenen van de wachtrij van maatregel %s mislukt", queue.measure_id)
        finally:
            ws.close()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is in line or being re-ranked (tests, benchmarks); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the re-ranking in progress, drop what is in line (the published orders stand and
        the next app re-ranks on its first request) and end the thread."""
        with self._changed:
            self._stopping = True
            self._pending.clear()
            self._changed.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("de herordening stopte niet binnen %.0f s", timeout)
