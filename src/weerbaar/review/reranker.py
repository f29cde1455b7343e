"""Re-ranking review queues off the request path: one background thread per web app.

A request that records a decision only marks the measure's queues stale (:meth:`Reranker.request`);
this worker re-ranks them, one at a time, with its own workspace connection (SQLite connections
belong to one thread), and each queue publishes its new order in one reference swap. Bursts
coalesce: a queue waits at most once in line however many decisions mark it, and the worker reads
the decisions as they are when it starts, so the latest state wins.

A fit starts once its queue has been quiet for ``QUIET`` seconds (at the latest ``MAX_DELAY``
after the first mark): a decision is followed at once by the page with the next passage, and a
fit running beside those two requests would hold the GIL between their SQLite calls (measured:
every request's median 3-4 times slower when fitting after every decision with no pause).

A thread rather than Starlette's background tasks: those run per request (no coalescing across
requests, so a burst of decisions would queue a burst of fits), in the request's thread pool that
serves pages too, and have no place to stop at shut-down; a single worker also means one
scikit-learn fit at a time on a 2-core machine, whatever the number of reviewers.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from weerbaar.review.queue import MeasureQueue
from weerbaar.workspace import Workspace

log = logging.getLogger(__name__)
THREAD_NAME = "weerbaar-herordening"
QUIET = 0.25  # seconds without a new decision on a queue before its fit starts
MAX_DELAY = 1.0  # seconds after the first mark a busy queue is fitted anyway


class Reranker:
    """The background worker; started on the first request for work, stopped by :meth:`stop`."""

    def __init__(self, folder: Path, *, quiet: float = QUIET, max_delay: float = MAX_DELAY):
        self.folder = folder
        self.quiet, self.max_delay = quiet, max_delay
        # id(queue) → [queue, first mark, last mark]; insertion order: first marked, first re-ranked
        self._pending: dict[int, list] = {}
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
            now = time.monotonic()
            self._pending.setdefault(id(queue), [queue, now, now])[2] = now
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def _next(self) -> MeasureQueue | None:
        with self._changed:
            self._busy = False
            self._changed.notify_all()
            while not self._stopping:
                now = time.monotonic()
                due = {key: min(last + self.quiet, first + self.max_delay)
                       for key, (_, first, last) in self._pending.items()}
                ready = [key for key, at in due.items() if at <= now]
                if ready:
                    self._busy = True
                    return self._pending.pop(ready[0])[0]
                self._changed.wait(min(due.values()) - now if due else None)
            return None

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
