"""A real ``weerbaar review`` server for the web benchmarks: started, waited for, stopped.

    with review_server(folder, 8793) as (server, client):
        client.get("/oordelen")
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

WAIT_TRIES, WAIT_STEP = 200, 0.3  # up to a minute for the server to answer


@contextmanager
def review_server(folder: Path, port: int, *, pythonpath: str | None = None, timeout: float = 60,
                  reviewer: str = "Bench") -> Iterator[tuple[subprocess.Popen, httpx.Client]]:
    """The server on ``folder`` (with the code in ``pythonpath`` when given) and a client that is
    ``reviewer``, once the server answers; the server is stopped afterwards."""
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else None
    server = subprocess.Popen([sys.executable, "-m", "weerbaar", "review", "-w", str(folder), "--poort", str(port),
                               "--geen-browser"], stderr=subprocess.DEVNULL, env=env)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies={"weerbaar_beoordelaar": reviewer},
                              timeout=timeout)
        for _ in range(WAIT_TRIES):
            try:
                client.get("/documenten")
                break
            except httpx.TransportError:
                time.sleep(WAIT_STEP)
        yield server, client
    finally:
        server.terminate()
        server.wait(30)
