"""Start-up time of the command line: ``weerbaar --help`` and ``weerbaar zoek`` end to end.

Each command runs as a fresh process (the installed ``weerbaar`` script next to this Python), the
way a person or a shell script starts it; wall clock from spawn to exit, after one untimed warm-up
run (so the OS file cache is warm). A second pass runs the same commands under
``python -X importtime`` and reports how long the imports took in total and which top-level
packages cost most. The workspace is the demo corpus, ingested without analysis (a few seconds).

    .venv/bin/python bench/bench_startup.py               # 7 runs per command
    .venv/bin/python bench/bench_startup.py --runs 3      # quick check
"""

from __future__ import annotations

import argparse
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


def wall_clock(args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "COLUMNS": "100"}
    subprocess.run([str(SCRIPT), *args], capture_output=True, env=env, check=True)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(SCRIPT), *args], capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - t0)
    return times


_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(args: list[str]) -> tuple[float, list[tuple[str, float]]]:
    """Total import time (s) and the packages that cost most (own time of all their modules), from ``-X importtime``."""
    code = "import sys; from weerbaar.cli.main import run; sys.argv[0] = 'weerbaar'; run()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"})
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
    args = parser.parse_args()
    if not SCRIPT.exists():
        sys.exit(f"{SCRIPT} not found: install weerbaar into this environment first (make .venv/bin/weerbaar)")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} UTC · {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f}"
          f" · {args.runs} runs per command after one warm-up")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        build_workspace(ws)
        print(f"{'command':42} {'min':>7} {'median':>7} {'max':>7}   imports (s)   costliest imports")
        for label, argv in commands(ws).items():
            times = wall_clock(argv, args.runs)
            total, ranked = import_profile(argv)
            costly = ", ".join(f"{name} {t * 1000:.0f} ms" for name, t in ranked[:4])
            print(f"{label:42} {min(times):7.3f} {statistics.median(times):7.3f} {max(times):7.3f}   "
                  f"{total:11.3f}   {costly}")


if __name__ == "__main__":
    main()
