"""Speed and peak memory of verdicts and the report: ``beoordeel``, ``rapport`` (with and without
``--inclusief-suggesties``) and the web pages ``/oordelen`` and one cell.

Two workspaces:

- synthetic (default): 100k passages written at table level as in ``bench_review.py`` (40
  organisations, 41 measures, 3 suggestions per passage), three documents whose "title" is 1.3 MB
  of text (as the unpaginated Helmond files had), and 2,000 decisions stored through
  ``ws.decisions.record`` (the store's decision log, the app's own code path);
- ``--werkruimte PATH``: an existing workspace, e.g. the whole shared corpus ingested and analysed
  (``weerbaar ingest ../shared/seeds ../shared/corpus -w W && weerbaar analyseer -w W``).

Commands run as real ``weerbaar`` processes; their peak RSS comes from ``wait4``. The web app runs
as a real ``weerbaar review`` server; each round records a decision (which invalidates the cached
verdicts), then loads the dashboard (recomputed), loads it again (cached) and opens one cell.

With ``--basis-src OLD/src`` every command also runs with the code in ``OLD/src`` (e.g. ``git
archive COMMIT src | tar -x -C OLD``), alternating with the current code, ``--rondes-cli`` times
each, on a workspace built by the old code (the current code migrates its own copy first, as a user
upgrading would); the table gives min / median / max seconds and the peak memory of the command's
processes together (the PDF is written in a child process).

    .venv/bin/python bench/bench_report.py --passages 100000 --besluiten 2000
    .venv/bin/python bench/bench_report.py --werkruimte /tmp/echt/ws
    .venv/bin/python bench/bench_report.py --passages 10000 30000 100000 --basis-src /tmp/base/src \
        --rondes-cli 3 --zonder-web --alleen rapport
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import legacy_sql  # noqa: E402
from bench_review import build  # noqa: E402
from server import review_server  # noqa: E402

from weerbaar.workspace import Workspace  # noqa: E402

BIG_TITLE = 1_300_000


def add_big_titles_and_decisions(folder: Path, decisions: int, big_titles: int = 3, seed: int = 3) -> None:
    rng = random.Random(seed)
    with Workspace.open(folder) as ws:
        legacy_sql.set_big_titles(ws.conn, "Raadsvergadering " + "tekst zonder regeleinden " * (BIG_TITLE // 25),
                                  big_titles)
        pairs = legacy_sql.sample_pairs(ws.conn, decisions)
        for pid, mid in pairs:
            relevant = rng.random() < 0.3
            ws.decisions.record(pid, mid, rng.choice(["Anna", "Bram", "Chris"]), relevant,
                                stage=rng.randint(0, 4) if relevant else None)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants together (kB)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_command(args: list[str], pythonpath: str | None = None) -> tuple[float, int, int, float]:
    """(seconds, peak RSS of the largest process in MB, peak RSS of all its processes together in MB,
    sampled every 50 ms, CPU seconds of all its processes) of one weerbaar command; ``pythonpath``
    runs another copy of the code. CPU seconds depend far less on other work on the machine."""
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else None
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "weerbaar", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"weerbaar {' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024, max(peak[0], usage.ru_maxrss) // 1024, usage.ru_utime + usage.ru_stime


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


def bench_web(folder: Path, rounds: int, pythonpath: str | None = None, figures: dict | None = None) -> list[str]:
    """The web rounds' table; with ``figures``, their medians and p95s are added to it as well."""
    port = 8793
    lines = []
    with review_server(folder, port, pythonpath=pythonpath, timeout=120) as (server, client):
        organisations, measure = legacy_sql.organisations_and_busiest_measure(folder)  # the old code may serve it
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
            cell.append(timed(lambda params=params: client.get("/oordelen/cel", params=params).raise_for_status()))
            provisional.append(timed(lambda: client.get("/oordelen?voorlopig=true").raise_for_status()))
            provisional_params = {**params, "voorlopig": "true"}
            provisional_cell.append(timed(
                lambda params=provisional_params: client.get("/oordelen/cel", params=params).raise_for_status()))
        lines.append(f"first /oordelen (reads the analysis once): {first:.0f} ms; first with suggestions: "
                     f"{first_provisional:.0f} ms")
        lines.append("| request | n | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
        lines += [row("/oordelen right after a decision (recomputed)", after_decision),
                  row("/oordelen again (cached)", cached),
                  row("/oordelen?voorlopig=true after a decision", provisional),
                  row("one cell (/oordelen/cel)", cell),
                  row("one cell with suggestions", provisional_cell)]
        lines.append(f"server peak RSS: {peak_mb(server.pid)} MB")
        if figures is not None:
            figures["first /oordelen, reads the analysis once (ms)"] = first
            for name, ms in (("/oordelen right after a decision", after_decision), ("/oordelen again, cached", cached),
                             ("/oordelen?voorlopig=true after a decision", provisional), ("one cell", cell),
                             ("one cell with suggestions", provisional_cell)):
                ms = sorted(ms)
                figures[f"{name}: median of {len(ms)} (ms)"] = statistics.median(ms)
                figures[f"{name}: p95 of {len(ms)} (ms)"] = ms[int(0.95 * (len(ms) - 1))]
            figures["review server: peak RSS (MB)"] = peak_mb(server.pid)
    return lines


COMMANDS = {
    "beoordeel": ["beoordeel", "--json"],
    "beoordeel --inclusief-suggesties": ["beoordeel", "--inclusief-suggesties", "--json"],
    "rapport (html, pdf, xlsx, csv, json)": ["rapport"],
    "rapport --inclusief-suggesties (all forms)": ["rapport", "--inclusief-suggesties"],
}


def build_workspace(folder: Path, passages: int, decisions: int, pythonpath: str | None) -> None:
    """The synthetic workspace, built by the code in ``pythonpath`` (or the current code, which then
    keeps the planner statistics as 'analyseer' does)."""
    if pythonpath:
        subprocess.run([sys.executable, __file__, "--bouw-alleen", str(folder), "--passages", str(passages),
                        "--besluiten", str(decisions)], env={**os.environ, "PYTHONPATH": pythonpath}, check=True)
        return
    build(folder, passages)
    add_big_titles_and_decisions(folder, decisions)
    with Workspace.open(folder) as ws:
        ws.update_statistics()


def bench_commands(folder: Path, out: Path, names: list[str], runs: int, baseline: str | None,
                   figures: dict | None = None) -> list[str]:
    """Each command ``runs`` times, alternating old and new code when there is a baseline; with
    ``figures``, the current code's runs are added to it (one value per run)."""
    sides = {"now": (folder, None)}
    if baseline:
        sides["before"] = (folder.with_name(folder.name + "-basis"), baseline)
    lines = ["| command | code | runs | s min / median / max | CPU s (median) | peak RSS MB, largest process | "
             "peak RSS MB, all processes |", "|---|---|---:|---:|---:|---:|---:|"]
    for name in names:
        results: dict[str, list[tuple[float, int, int, float]]] = {side: [] for side in sides}
        for _ in range(runs):
            for side, (ws_folder, pythonpath) in sides.items():
                cmd = [*COMMANDS[name][:1], "-w", str(ws_folder), *COMMANDS[name][1:]]
                if cmd[0] == "rapport":
                    cmd += ["--naar", str(out / side)]
                results[side].append(run_command(cmd, pythonpath))
                print(f"  {name} [{side}]: {results[side][-1][0]:.1f} s, CPU {results[side][-1][3]:.1f} s, "
                      f"{results[side][-1][2]} MB "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
        if figures is not None:
            figures[f"{name}: wall (s)"] = [r[0] for r in results["now"]]
            figures[f"{name}: CPU (s)"] = [r[3] for r in results["now"]]
            figures[f"{name}: peak RSS, all processes (MB)"] = [r[2] for r in results["now"]]
        for side, rows in results.items():
            seconds = sorted(r[0] for r in rows)
            lines.append(f"| {name} | {side} | {len(rows)} | {seconds[0]:.1f} / {statistics.median(seconds):.1f} / "
                         f"{seconds[-1]:.1f} | {statistics.median(r[3] for r in rows):.1f} | {max(r[1] for r in rows)} | "
                         f"{max(r[2] for r in rows)} |")
        if baseline:
            ratios = [statistics.median(r[i] for r in results["before"]) / statistics.median(r[i] for r in results["now"])
                      for i in (0, 3)]
            lines.append(f"| {name} | before / now (median) | | {ratios[0]:.1f}× | {ratios[1]:.1f}× | | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="+", default=[100_000])
    parser.add_argument("--besluiten", type=int, default=2000)
    parser.add_argument("--rondes", type=int, default=40, help="web rounds (decision, dashboard, cell)")
    parser.add_argument("--rondes-cli", type=int, default=1, help="runs of each command (per side)")
    parser.add_argument("--basis-src", help="the code to compare with (a 'src' folder), run side by side")
    parser.add_argument("--alleen", help="only the commands whose name starts with this ('rapport --inclusief')")
    parser.add_argument("--zonder-web", action="store_true", help="skip the web rounds")
    parser.add_argument("--werkruimte", type=Path, help="an existing workspace instead of a synthetic one")
    parser.add_argument("--json", type=Path, help="write the headline figures of the current code here as flat JSON "
                        "(one size: the first of --passages)")
    parser.add_argument("--bouw-alleen", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    figures: dict | None = {} if args.json else None
    if args.bouw_alleen:
        build(args.bouw_alleen, args.passages[0])
        add_big_titles_and_decisions(args.bouw_alleen, args.besluiten)
        return
    names = [n for n in COMMANDS if not args.alleen or n.startswith(args.alleen)]
    baseline = str(Path(args.basis_src).resolve()) if args.basis_src else None
    for passages in ([None] if args.werkruimte else args.passages):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "ws"
            if args.werkruimte:
                subprocess.run(["cp", "-r", str(args.werkruimte), str(folder)], check=True)  # the web rounds add decisions
            else:
                t = time.perf_counter()
                build_workspace(folder, passages, args.besluiten, baseline)
                print(f"workspace: {passages} passages, {args.besluiten} decisions, built in "
                      f"{time.perf_counter() - t:.0f} s")
            counts = legacy_sql.counts(folder)  # read only: no migration yet
            print(f"passages {counts[0]}, suggestions {counts[1]}, decisions {counts[2]}, longest title {counts[3]} "
                  f"chars; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
            if baseline:  # a copy for the old code; the current code migrates its own once, as after an upgrade
                subprocess.run(["cp", "-r", str(folder), str(folder.with_name("ws-basis"))], check=True)
                with Workspace.open(folder):
                    pass
            for line in bench_commands(folder, Path(tmp) / "rapport", names, args.rondes_cli, baseline, figures):
                print(line, flush=True)
            if not args.zonder_web:
                sides = [("now", folder, None)] + ([("before", folder.with_name("ws-basis"), baseline)] if baseline else [])
                for side, ws_folder, pythonpath in sides:
                    print(f"web, {side} (load {os.getloadavg()[0]:.1f}):", flush=True)
                    for line in bench_web(ws_folder, args.rondes, pythonpath, figures if side == "now" else None):
                        print(line, flush=True)
            if args.json and figures is not None:
                args.json.write_text(json.dumps(figures, indent=1))
                figures = None  # the figures are those of the first size


if __name__ == "__main__":
    main()
