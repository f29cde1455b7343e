"""The measures overview's counts: one SQL query (``ws.decisions.counts_per_measure``) against
loading every decision and deriving the final labels in Python (what the overview did before),
on the same workspace, side by side; both must give the same counts.

    .venv/bin/python bench/bench_overview_counts.py --passages 5000 --besluiten 8000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_report import add_big_titles_and_decisions  # noqa: E402
from bench_review import build  # noqa: E402

from weerbaar.workspace import Workspace  # noqa: E402


def in_python(ws: Workspace) -> dict[str, tuple[int, int]]:
    final = ws.decisions.final()
    reviewed = Counter(k.measure_id for k in final)
    relevant = Counter(k.measure_id for k, d in final.items() if d.relevant)
    return {m: (reviewed[m], relevant[m]) for m in reviewed}


def in_sql(ws: Workspace) -> dict[str, tuple[int, int]]:
    return {m: (c.reviewed, c.relevant) for m, c in ws.decisions.counts_per_measure().items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=5000)
    parser.add_argument("--besluiten", type=int, default=8000)
    parser.add_argument("--rondes", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        build(folder, args.passages)
        add_big_titles_and_decisions(folder, args.besluiten)
        with Workspace.open(folder) as ws:
            assert in_python(ws) == in_sql(ws), "the SQL counts differ from the log's final labels"
            times: dict[str, list[float]] = {"python": [], "sql": []}
            for _ in range(args.rondes):  # alternated, so that noise hits both alike
                for name, f in (("python", in_python), ("sql", in_sql)):
                    t = time.perf_counter()
                    f(ws)
                    times[name].append(time.perf_counter() - t)
            n = ws.decisions.count()
    py, sql = (statistics.median(times[k]) * 1000 for k in ("python", "sql"))
    print(f"{n} decisions; median of {args.rondes}: every decision in Python {py:.0f} ms, "
          f"one SQL query {sql:.0f} ms ({py / sql:.1f}x)")
    if args.json:
        args.json.write_text(json.dumps({
            f"every decision loaded, final labels in Python, median of {args.rondes} (ms)": py,
            f"one SQL query, median of {args.rondes} (ms)": sql, "Python / SQL (ratio)": py / sql,
            "decisions (count)": n}, indent=1))


if __name__ == "__main__":
    main()
