"""Throughput of ``analyseer --dask`` per worker on this machine (issue 14, item 6).

A ``distributed.LocalCluster`` with 1 and then 2 worker processes (one thread each) analyses the
same workspace (the real PDFs of ``../shared/corpus``, cut to ``--passages``), every passage
embedded (``--alles-inbedden``: the worst case), each run in a fresh copy; beside it the local
run (no Dask) on the same copy. Time includes the workers' model load (a few seconds once).

    .venv/bin/python bench/bench_cluster.py --passages 1500
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(folder: Path, dask: str | None) -> dict:
    from weerbaar.classify.pipeline import analyse_workspace
    from weerbaar.codebook import load_codebook
    from weerbaar.workspace import Workspace

    start = time.perf_counter()
    with Workspace.open(folder) as ws:
        report = analyse_workspace(ws, load_codebook(), embed_all=True, dask=dask)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "analysed": report.analysed, "passages_per_second": report.analysed / seconds}


def main() -> None:
    from distributed import LocalCluster

    from weerbaar.ingest.pipeline import ingest_paths
    from weerbaar.workspace import Workspace

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=1500)
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    args = parser.parse_args()
    shared = Path(os.environ.get("WEERBAAR_SHARED", HERE.parent.parent / "shared")).resolve()
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cores": os.cpu_count(),
              "load_before": os.getloadavg(), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        with Workspace.open(base, create=True) as ws:
            files = sorted((shared / "corpus").rglob("*.pdf"))
            for f in files:
                ingest_paths(ws, [f])
                if ws.passages.count() >= args.passages:
                    break
            result["passages"] = ws.passages.count()
        for name, workers in (("lokaal", 0), ("dask-1-worker", 1), ("dask-2-workers", 2)):
            copy = Path(tmp) / name
            shutil.copytree(base, copy)
            if workers:
                with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
                    result["runs"][name] = _run(copy, cluster.scheduler_address)
            else:
                result["runs"][name] = _run(copy, None)
            print(name, json.dumps(result["runs"][name]), flush=True)
    result["load_after"] = os.getloadavg()
    out = HERE / "results" / "cluster.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.json:
        local = result["runs"]["lokaal"]["passages_per_second"]
        figures = {"passages analysed, all embedded (count)": result["passages"]}
        for name, run in result["runs"].items():
            figures[f"{name} (passages/s)"] = run["passages_per_second"]
            figures[f"{name} / lokaal (ratio)"] = run["passages_per_second"] / local
        del figures["lokaal / lokaal (ratio)"]
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
