"""Worker processes that use every core and never outlive the process that started them.

Shared by the ingest pool (extraction) and the analysis pool (embedding).
"""

from __future__ import annotations

import os
import threading
import time


def cores() -> int:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than exist)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def end_with_parent(parent: int, interval: float = 0.25) -> None:
    """Make this worker end when the process that started it ends, even by ``kill -9`` (which
    runs no clean-up): otherwise each orphan keeps its memory. A daemon thread watches the parent id,
    which changes when the parent dies; it works on every platform and whichever thread of the
    parent started the pool (Linux's PR_SET_PDEATHSIG follows the starting thread, not the process)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    if os.getppid() != parent:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=watch, name="weerbaar-ouder", daemon=True).start()
