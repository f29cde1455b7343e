"""Write a collected report in several forms at once: the PDF in a forked process beside the others.

WeasyPrint's layout of the PDF is the slowest form and the spreadsheet, JSON and HTML together cost
about as much again, all single-threaded; on two cores writing them side by side nearly halves the
wall time of ``weerbaar rapport``. The child is forked after :func:`collect`, so it shares the
report in memory instead of receiving a pickled copy. Where ``fork`` is not the safe default
(Windows, macOS), or in a process that runs other threads (a fork copies their locks, not the
threads), the forms are written one after another.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from weerbaar.errors import WeerbaarError
from weerbaar.report.build import WRITERS, Report

#: The forms written in a process of their own when several are asked for.
SEPARATE = ("pdf",)
_shared: Report | None = None  # the report a forked writer inherits


def _write_shared(fmt: str, path: Path) -> None:
    assert _shared is not None, "set before the writers fork"
    WRITERS[fmt](_shared, path)


def write_forms(report: Report, folder: Path, formats: list[str], *,
                written: Callable[[Path], None] = lambda path: None) -> list[Path]:
    """Write ``report`` as ``folder/rapport.<fmt>`` for each format; ``written`` is told each path
    as soon as it is complete. An error in any form is raised here, after the others finished."""
    global _shared
    folder.mkdir(parents=True, exist_ok=True)
    paths = {fmt: folder / f"rapport.{fmt}" for fmt in formats}
    apart = [fmt for fmt in formats if fmt in SEPARATE]
    if not (apart and len(formats) > 1 and sys.platform.startswith("linux") and threading.active_count() == 1):
        for fmt in sorted(formats, key=lambda fmt: fmt in apart):  # the same order as side by side
            WRITERS[fmt](report, paths[fmt])
            written(paths[fmt])
        return list(paths.values())
    _shared = report
    try:
        with ProcessPoolExecutor(max_workers=len(apart), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {fmt: pool.submit(_write_shared, fmt, paths[fmt]) for fmt in apart}
            for fmt in formats:
                if fmt not in futures:
                    WRITERS[fmt](report, paths[fmt])
                    written(paths[fmt])
            for fmt, future in futures.items():
                try:
                    future.result()
                except BrokenProcessPool as exc:
                    raise WeerbaarError(f"Het schrijven van {paths[fmt]} is afgebroken (het proces stopte onverwacht).",
                                        hint=f"Probeer alleen dit formaat: weerbaar rapport --formaat {fmt}.") from exc
                written(paths[fmt])
    finally:
        _shared = None
    return list(paths.values())
