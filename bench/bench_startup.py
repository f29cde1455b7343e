"""Start-up time of the command line: ``weerbaar --help`` and ``weerbaar zoek`` end to end.

Each command runs as a fresh process (the installed ``weerbaar`` script next to this Python), the
way a person or a shell script starts it; wall clock from spawn to exit, after one untimed warm-up
run (so the OS file cache is warm), and the CPU time (user + system) the process used, which a
busy machine disturbs less than wall clock. With ``--baseline SRC`` every command also runs
against another source tree (``PYTHONPATH=SRC``, e.g. an unpacked older commit), alternating run
by run with the current one so that machine noise hits both alike. A second pass runs the same commands under
``python -X importtime`` and reports how long the imports took in total and which top-level
packages cost most. The workspace is the demo corpus, ingested without analysis (a few seconds).

    .venv/bin/python bench/bench_startup.py               # 7 runs per command
    .venv/bin/python bench/bench_startup.py --runs 3      # quick check
    mkdir -p /tmp/before && git archive 5c28ce9 src | tar -x -C /tmp/before
    .venv/bin/python bench/bench_startup.py --baseline /tmp/before/src   # before and after, side by side
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
SCRIPT = BIN / "weerbaar"


def build_workspace(folder: Path) -> None:
    from weerbaar.demo import build_demo

    build_demo(folder, fresh=True, analyse=False)


def commands(ws: Path) -> dict[str, list[str]]:
    return {
        "weerbaar --help": ["--help"],
        "weerbaar zoek noodsteunpunten": ["zoek", "noodsteunpunten", "-w", str(ws)],
        "weerbaar zoek noodsteunpunten --json": ["zoek", "noodsteunpunten", "-w", str(ws), "--json"],
        "weerbaar documenten wijzig --help": ["documenten", "wijzig", "--help"],
    }


def environment(src: str | None) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "100"}
    if src:
        env["PYTHONPATH"] = src
    return env


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall clock and CPU time (user + system) of one run of the installed command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(SCRIPT), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"weerbaar {' '.join(args)} failed with exit code {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(args: list[str], variants: dict[str, dict[str, str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    for env in variants.values():
        timed(args, env)  # warm-up
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, env in variants.items():
            results[name].append(timed(args, env))
    return results


def spread(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(args: list[str], env: dict[str, str]) -> tuple[float, list[tuple[str, float]]]:
    """Total import time (s) and the packages that cost most (own time of all their modules), from ``-X importtime``."""
    code = "import sys; from weerbaar.cli.main import run; sys.argv[0] = 'weerbaar'; run()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          env=env)
    total = 0.0
    by_package: dict[str, float] = {}
    for m in _LINE.finditer(proc.stderr):
        own, cumulative, indent, name = int(m[1]) / 1e6, int(m[2]) / 1e6, len(m[3]), m[4]
        if indent == 1:  # imported directly by the program: its cumulative time covers its own imports
            total += cumulative
        root = name.split(".")[0]
        by_package[root] = by_package.get(root, 0.0) + own
    return total, sorted(by_package.items(), key=lambda kv: -kv[1])[:6]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", help="another source tree to compare with (its src folder)")
    parser.add_argument("--json", type=Path, help="write the headline figures (medians, this tree) here as flat JSON")
    args = parser.parse_args()
    if not SCRIPT.exists():
        sys.exit(f"{SCRIPT} not found: install weerbaar into this environment first (make .venv/bin/weerbaar)")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} UTC · {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f}"
          f" · {args.runs} runs per command after one warm-up")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        build_workspace(ws)
        variants = {"now": environment(None)}
        if args.baseline:
            variants = {"before": environment(args.baseline), **variants}
        print("| command | tree | wall s (min / median / max) | CPU s (min / median / max) | imports s | "
              "costliest imports (own time) |")
        print("|---|---|---|---|---|---|")
        figures: dict[str, float] = {}
        for label, argv in commands(ws).items():
            for name, runs in measure(argv, variants, args.runs).items():
                if name == "now":
                    figures[f"{label}: wall, median of {args.runs} (s)"] = statistics.median(w for w, _ in runs)
                    figures[f"{label}: CPU, median of {args.runs} (s)"] = statistics.median(c for _, c in runs)
                total, ranked = import_profile(argv, variants[name])
                costly = ", ".join(f"{pkg} {t * 1000:.0f} ms" for pkg, t in ranked[:4])
                print(f"| `{label}` | {name} | {spread([w for w, _ in runs])} | {spread([c for _, c in runs])} | "
                      f"{total:.3f} | {costly} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
