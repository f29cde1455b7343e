"""Extraction in worker processes for ``ingest``: results come back in the order given, with a
bounded number in flight and a bounded amount of extracted text waiting, so memory stays flat
however many files there are.

Workers hash, read (PDFium's lock is per process), screen, split and stem; the process that
started them is the one writer. A worker that dies on a file (a crash inside a parser, the
out-of-memory killer) costs only that file: the files it shared the pool with are read again,
each in a pool of its own, and the one that kills its worker again is reported as unreadable.
Workers ignore Ctrl-C (the writer stops them) and end when the writer ends, even by ``kill -9``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from weerbaar.processes import end_with_parent

if TYPE_CHECKING:
    from weerbaar.ingest.pipeline import Extraction, IngestOptions

# Results are written in the order given (so the ids do not depend on the number of processes):
# while one worker reads a big file at the head of the queue, the others go on with the files
# after it, as many as fit. With two in flight per worker they soon stood still (about a sixth of
# the run on the benchmark corpus, where big budgets and minutes sit between one-page motions);
# the text already extracted and waiting is bounded instead, so memory stays flat.
IN_FLIGHT_PER_WORKER = 32
MAX_WAITING_CHARS = 20_000_000  # text (pages and index forms) of extracted files waiting for the writer


def _init(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writer's to handle
    end_with_parent(parent)


def _extract(path: Path, root: Path, options: IngestOptions, stored_sha: str | None) -> Extraction:
    from weerbaar.ingest.pipeline import extract_file

    return extract_file(path, root, options, stored_sha)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where there is fork: workers start at once with every module already imported."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init,
                               initargs=(os.getpid(),))


def _alone(path: Path, root: Path, options: IngestOptions, stored_sha: str | None) -> Extraction:
    """Extract one file in a pool of its own, after a worker died: if it dies again, this file is why."""
    from weerbaar.ingest.pipeline import Extraction, Refusal

    pool = _pool(1)
    finished = False
    try:
        extraction = pool.submit(_extract, path, root, options, stored_sha).result()
        finished = True
        return extraction
    except BrokenProcessPool:
        return Extraction(problem=Refusal(
            "beschadigd", "Het leesproces stopte onverwacht bij dit bestand (een fout in de lezer of te weinig "
            "geheugen).", hint="Open het bestand zelf om te zien of het heel is; sla het eventueel opnieuw op als PDF."))
    finally:
        _stop(pool, finished)


def extract_in_pool(todo: list[tuple[Path, Path]], options: IngestOptions, workers: int,
                    stored_sha: Callable[[Path], str | None]) -> Generator[tuple[Path, Path, Extraction], None, None]:
    """(file, root, extraction) for every file of ``todo``, in its order, extracted by ``workers`` processes.

    ``stored_sha`` is asked (in this process) for each file just before it is handed out.
    """
    items = iter(todo)
    pending: deque[tuple[Path, Path, str | None, Future]] = deque()
    pool = _pool(workers)

    sizes: dict[Future, int] = {}  # the text of each result that is done, until it is written

    def waiting_chars() -> int:
        for *_, future in pending:
            if future not in sizes and future.done():
                sizes[future] = 0 if future.exception() is not None else future.result().chars
        return sum(sizes.values())

    def fill() -> None:
        nonlocal pool
        while len(pending) < workers * IN_FLIGHT_PER_WORKER and waiting_chars() < MAX_WAITING_CHARS:
            item = next(items, None)
            if item is None:
                return
            path, root = item
            sha = stored_sha(path)
            try:
                future = pool.submit(_extract, path, root, options, sha)
            except BrokenProcessPool:  # a worker died: the files it shared the pool with are redone alone
                _stop(pool, False)
                pool = _pool(workers)
                future = pool.submit(_extract, path, root, options, sha)
            pending.append((path, root, sha, future))

    finished = False
    try:
        fill()
        while pending:
            path, root, sha, future = pending.popleft()
            sizes.pop(future, None)
            try:
                extraction = future.result()
            except BrokenProcessPool:
                extraction = _alone(path, root, options, sha)
            yield path, root, extraction
            fill()
        finished = True
    finally:
        _stop(pool, finished)


def _stop(pool: ProcessPoolExecutor, finished: bool) -> None:
    """Shut the pool down and wait for its processes, so none outlives this call. When the writer
    stopped early (Ctrl-C, an error), the workers are ended at once instead of finishing their file."""
    if not finished:
        for process in list((getattr(pool, "_processes", None) or {}).values()):  # not public; best effort
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
