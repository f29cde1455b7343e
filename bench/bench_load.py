"""Several reviewers at once against one review server: no error, no crash, no decision lost or doubled.

A real ``weerbaar review`` server on 127.0.0.1 (loopback only; the bench never talks to any other
address). N reviewers, each a thread with its own httpx client and cookies, work in a loop until
the time is up: the queue page of a measure (the next passage, or a given candidate), the source
page image of a PDF passage, a decision (relevant or not, with a unique note), and now and then the
overview. Every response is checked: status, a PNG for an image, and no "markering ontbreekt"
warning on a PDF passage (what a failing PDFium call shows). Afterwards the workspace is read: every
decision the server acknowledged (303) must be stored exactly once.

    .venv/bin/python bench/bench_load.py --clients 20 --seconds 600

Without ``--werkruimte`` the demo workspace is built in a temporary folder. The short version of
this run is a test (tests/robustness/test_web_load.py).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # loopback only, never anything else
NOTE_PREFIX = "belasting-"
SOURCE_CHANGED = "Het bronbestand is veranderd sinds het inlezen"


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acknowledged: int = 0
    stored_once: int = 0
    stored_twice_or_more: int = 0
    acknowledged_missing: int = 0
    server_exit: int | None = None  # a return code when the server died during the run

    def summary(self) -> dict:
        def pct(values, q):
            values = sorted(values)
            return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else None

        everything = [x for v in self.latencies.values() for x in v]
        return {
            "clients": self.clients, "seconds": self.seconds, "requests": self.requests,
            "requests_per_second": round(self.requests / self.seconds, 1) if self.seconds else None,
            "errors": len(self.errors), "first_errors": self.errors[:10],
            "server_crashed": self.server_exit is not None, "server_exit": self.server_exit,
            "decisions_acknowledged": self.acknowledged, "stored_exactly_once": self.stored_once,
            "stored_more_than_once": self.stored_twice_or_more, "acknowledged_but_missing": self.acknowledged_missing,
            "ms": {kind: {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "max": pct(v, 1.0)}
                   for kind, v in sorted({**self.latencies, "alle": everything}.items())},
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(folder: Path, port: int, log) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "weerbaar", "review", "--werkruimte", str(folder), "--poort",
                                str(port), "--adres", HOST, "--geen-browser"], stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://{HOST}:{port}/documenten", timeout=2)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(f"de server stopte bij het starten (code {process.returncode})") from None
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("de server startte niet binnen 60 s")


def candidates(folder: Path) -> list[tuple[str, int]]:
    from weerbaar.workspace import Workspace

    with Workspace.open(folder) as ws:
        return ws.analysis.pairs_by_measure()


def reviewer_loop(number: int, base: str, pairs: list[tuple[str, int]], deadline: float, result: LoadResult,
                  acknowledged: list[str], lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed + number)
    measures = sorted({m for m, _ in pairs})
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    client.cookies.set("weerbaar_beoordelaar", f"lezer-{number:02d}")

    def timed(kind, method, url, **kw):
        started = time.perf_counter()
        try:
            response = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            with lock:
                result.requests += 1
                result.errors.append(f"{kind} {url}: {type(exc).__name__}: {exc}")
            return None
        with lock:
            result.requests += 1
            result.latencies[kind].append(time.perf_counter() - started)
        return response

    def error(message):
        with lock:
            result.errors.append(message)

    iteration = 0
    try:
        while time.monotonic() < deadline:
            iteration += 1
            if iteration % 10 == 0:
                r = timed("overzicht", "GET", "/")
                if r is not None and r.status_code != 200:
                    error(f"overzicht: status {r.status_code}")
            if rng.random() < 0.5:
                measure = rng.choice(measures)
                url = f"/maatregel/{measure}"
            else:
                measure, passage = rng.choice(pairs)
                url = f"/maatregel/{measure}?passage={passage}"
            r = timed("wachtrij", "GET", url)
            if r is None:
                continue
            if r.status_code != 200:
                error(f"wachtrij {url}: status {r.status_code}")
                continue
            found = re.search(r'name="passage_id" value="(\d+)"', r.text)
            if found is None:  # this measure's queue is done: take a given candidate next time
                continue
            if SOURCE_CHANGED in r.text:
                error(f"wachtrij {url}: markering ontbreekt (PDF-pagina niet gelezen)")
            image = re.search(r'src="(/pagina/\d+/\d+\.png)"', r.text)
            if image:
                img = timed("paginabeeld", "GET", image[1])
                if img is not None and (img.status_code != 200 or not img.content.startswith(b"\x89PNG")):
                    error(f"paginabeeld {image[1]}: status {img.status_code}: {img.text[:200] if img.status_code != 200 else ''}")
            csrf = re.search(r'name="csrf" value="([^"]+)"', r.text)[1]
            note = f"{NOTE_PREFIX}{uuid.uuid4()}"
            data = {"passage_id": found[1], "measure_id": measure, "besluit": rng.choice(("relevant", "niet")),
                    "csrf": csrf, "notitie": note, "terug": f"/maatregel/{measure}"}
            d = timed("beslissing", "POST", "/beslissing", data=data)
            if d is None:
                continue
            if d.status_code == 303:
                with lock:
                    acknowledged.append(note)
            else:
                error(f"beslissing: status {d.status_code}: {d.text[:200]}")
    finally:
        client.close()


def verify(folder: Path, acknowledged: list[str], result: LoadResult) -> None:
    from weerbaar.workspace import Workspace

    with Workspace.open(folder) as ws:
        stored = Counter(d.note for d in ws.decisions.all() if (d.note or "").startswith(NOTE_PREFIX))
    result.acknowledged = len(acknowledged)
    result.stored_once = sum(1 for note in acknowledged if stored.get(note) == 1)
    result.stored_twice_or_more = sum(1 for n in stored.values() if n > 1)
    result.acknowledged_missing = sum(1 for note in acknowledged if note not in stored)


def run_load(folder: Path, clients: int, seconds: float, seed: int = 13, log=None) -> LoadResult:
    """Run the load against a fresh server on ``folder`` (changed: decisions are added) and check the result."""
    port = free_port()
    log = log or subprocess.DEVNULL
    pairs = candidates(folder)
    if not pairs:
        raise SystemExit("Deze werkruimte heeft geen kandidaten; draai eerst 'weerbaar analyseer'.")
    server = start_server(folder, port, log)
    result = LoadResult(clients=clients, seconds=seconds)
    acknowledged: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=reviewer_loop, args=(i, f"http://{HOST}:{port}", pairs, deadline, result,
                                                            acknowledged, lock, seed), daemon=True)
               for i in range(clients)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 120)
        result.seconds = round(time.monotonic() - started, 1)
        if server.poll() is not None:
            result.server_exit = server.returncode
            result.errors.append(f"de server is gestopt tijdens de belasting (code {server.returncode})")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(30)
    verify(folder, acknowledged, result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--werkruimte", type=Path, help="a copy of this workspace is used (default: the demo)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/load.json"))
    parser.add_argument("--json", type=Path, help="also write the headline figures here as flat JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "werkruimte"
        if args.werkruimte:
            shutil.copytree(args.werkruimte, folder)
        else:
            from weerbaar.demo import build_demo

            build_demo(folder, decisions=False)
        with (Path(tmp) / "server.log").open("w") as log:
            result = run_load(folder, args.clients, args.seconds, log=log)
        server_log = (Path(tmp) / "server.log").read_text(errors="replace")
    summary = result.summary()
    summary["server_log_tail"] = server_log[-2000:]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in summary.items() if k != "server_log_tail"}, indent=2, ensure_ascii=False))
    if args.json:
        figures = {"requests (per s)": summary["requests_per_second"], "errors (count)": summary["errors"],
                   "server crashed (count)": int(summary["server_crashed"]),
                   "decisions acknowledged (count)": summary["decisions_acknowledged"],
                   "decisions stored twice or more (count)": summary["stored_more_than_once"],
                   "decisions acknowledged but missing (count)": summary["acknowledged_but_missing"]}
        for kind, ms in summary["ms"].items():
            figures[f"{kind} p50 (ms)"] = ms["p50"]
            figures[f"{kind} p95 (ms)"] = ms["p95"]
        args.json.write_text(json.dumps(figures, indent=1))
    if summary["errors"] or summary["server_crashed"] or summary["stored_more_than_once"] or summary["acknowledged_but_missing"]:
        print(server_log[-2000:], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
