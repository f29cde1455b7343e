"""Speed and peak memory of verdicts and the report: ``beoordeel``, ``rapport`` (with and without
``--inclusief-suggesties``) and the web pages ``/oordelen`` and one cell.

Two workspaces:

- synthetic (default): 100k passages written at table level as in ``bench_review.py`` (40
  organisations, 41 measures, 3 suggestions per passage), three documents whose "title" is 1.3 MB
  of text (as the unpaginated Helmond files had), and 2,000 decisions stored through
  ``weerbaar.review.decisions.record`` (the app's own code path);
- ``--werkruimte PATH``: an existing workspace, e.g. the whole shared corpus ingested and analysed
  (``weerbaar ingest ../shared/seeds ../shared/corpus -w W && weerbaar analyseer -w W``).

Commands run as real ``weerbaar`` processes; their peak RSS comes from ``wait4``. The web app runs
as a real ``weerbaar review`` server; each round records a decision (which invalidates the cached
verdicts), then loads the dashboard (recomputed), loads it again (cached) and opens one cell.

    .venv/bin/python bench/bench_report.py --passages 100000 --besluiten 2000
    .venv/bin/python bench/bench_report.py --werkruimte /tmp/echt/ws
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_review import build  # noqa: E402

from weerbaar.review.decisions import record  # noqa: E402
from weerbaar.workspace import Workspace  # noqa: E402

BIG_TITLE = 1_300_000


def add_big_titles_and_decisions(folder: Path, decisions: int, big_titles: int = 3, seed: int = 3) -> None:
    rng = random.Random(seed)
    with Workspace.open(folder) as ws:
        for doc in range(1, big_titles + 1):
            ws.documents.set_title(doc, "Raadsvergadering " + "tekst zonder regeleinden " * (BIG_TITLE // 25),
                                   paginated=False)
        pairs = ws.analysis.sample_pairs(decisions)
        for pid, mid in pairs:
            relevant = rng.random() < 0.3
            record(ws, pid, mid, rng.choice(["Anna", "Bram", "Chris"]), relevant,
                   stage=rng.randint(0, 4) if relevant else None)


def run_command(args: list[str]) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one weerbaar command."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "weerbaar", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"weerbaar {' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def row(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    return (f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {ms[int(0.95 * (len(ms) - 1))]:.0f} | "
            f"{ms[-1]:.0f} |")


def peak_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def bench_web(folder: Path, rounds: int) -> list[str]:
    port = 8793
    server = subprocess.Popen([sys.executable, "-m", "weerbaar", "review", "-w", str(folder), "--poort", str(port),
                               "--geen-browser"], stderr=subprocess.DEVNULL)
    lines = []
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies={"weerbaar_beoordelaar": "Bench"},
                              timeout=120)
        for _ in range(200):
            try:
                client.get("/documenten")
                break
            except httpx.TransportError:
                time.sleep(0.3)
        with Workspace.open(folder) as ws:
            organisations = ws.documents.organisation_names()
            measure = ws.analysis.busiest_measure()
        first = timed(lambda: client.get("/oordelen"))
        first_provisional = timed(lambda: client.get("/oordelen?voorlopig=true"))
        csrf = re.search(r'name="csrf" value="(\w+)"', client.get("/team").text)[1]
        after_decision, cached, cell, provisional, provisional_cell = [], [], [], [], []
        rng = random.Random(4)
        for _ in range(rounds):
            html = client.get(f"/maatregel/{measure}").text
            found = re.search(r'name="passage_id" value="(\d+)"', html)
            if found:
                client.post("/beslissing", data={"passage_id": found[1], "measure_id": measure, "besluit": "niet",
                                                 "csrf": csrf, "terug": f"/maatregel/{measure}"})
            after_decision.append(timed(lambda: client.get("/oordelen").raise_for_status()))
            cached.append(timed(lambda: client.get("/oordelen").raise_for_status()))
            params = {"organisatie": rng.choice(organisations), "maatregel": measure}
            cell.append(timed(lambda: client.get("/oordelen/cel", params=params).raise_for_status()))
            provisional.append(timed(lambda: client.get("/oordelen?voorlopig=true").raise_for_status()))
            provisional_cell.append(timed(lambda: client.get("/oordelen/cel", params={**params, "voorlopig": "true"})
                                          .raise_for_status()))
        lines.append(f"first /oordelen (reads the analysis once): {first:.0f} ms; first with suggestions: "
                     f"{first_provisional:.0f} ms")
        lines.append("| request | n | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
        lines += [row("/oordelen right after a decision (recomputed)", after_decision),
                  row("/oordelen again (cached)", cached),
                  row("/oordelen?voorlopig=true after a decision", provisional),
                  row("one cell (/oordelen/cel)", cell),
                  row("one cell with suggestions", provisional_cell)]
        lines.append(f"server peak RSS: {peak_mb(server.pid)} MB")
    finally:
        server.terminate()
        server.wait(30)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--besluiten", type=int, default=2000)
    parser.add_argument("--rondes", type=int, default=40, help="web rounds (decision, dashboard, cell)")
    parser.add_argument("--werkruimte", type=Path, help="an existing workspace instead of a synthetic one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.werkruimte:
            folder = Path(tmp) / "ws"
            subprocess.run(["cp", "-r", str(args.werkruimte), str(folder)], check=True)  # the web rounds add decisions
        else:
            folder = Path(tmp) / "ws"
            t = time.perf_counter()
            build(folder, args.passages)
            add_big_titles_and_decisions(folder, args.besluiten)
            print(f"workspace: {args.passages} passages, {args.besluiten} decisions, built in "
                  f"{time.perf_counter() - t:.0f} s")
        with Workspace.open(folder) as ws:
            counts = (ws.passages.count(), ws.analysis.suggestion_count(), ws.decisions.count(), ws.documents.longest()[0])
        print(f"passages {counts[0]}, suggestions {counts[1]}, decisions {counts[2]}, longest title {counts[3]} chars")
        print("| command | s | peak RSS MB |\n|---|---:|---:|")
        out = Path(tmp) / "rapport"
        for name, cmd in (
                ("beoordeel", ["beoordeel", "-w", str(folder), "--json"]),
                ("beoordeel --inclusief-suggesties", ["beoordeel", "-w", str(folder), "--inclusief-suggesties", "--json"]),
                ("rapport (html, pdf, xlsx, csv, json)", ["rapport", "-w", str(folder), "--naar", str(out)]),
                ("rapport --inclusief-suggesties (all forms)",
                 ["rapport", "-w", str(folder), "--inclusief-suggesties", "--naar", str(out)])):
            seconds, mb = run_command(cmd)
            print(f"| {name} | {seconds:.1f} | {mb} |", flush=True)
        for line in bench_web(folder, args.rondes):
            print(line)


if __name__ == "__main__":
    main()
