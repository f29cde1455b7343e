"""Ingest throughput against raw PDF text extraction over the same number of processes, and how
both grow with the number of pages.

Corpus: the real PDFs in ../shared/corpus (four Wassenaar budgets and annual accounts, the Den
Haag council PDFs). To grow the set, files are repeated; each copy gets a few bytes appended
after %%EOF so its content hash differs and ingest really processes it again.

For each number of processes N: "raw" is N processes started together, each opening its share
of the files (balanced by pages) with pypdfium2 and getting every page's text layer, nothing
else, timed from the first start to the last end; "ingest" is ``ingest_paths(..., processes=N)``
(what ``weerbaar ingest --processen N`` runs) into a new workspace. Every measurement runs in
fresh processes (so peak RSS is that run's own); per round, raw and ingest alternate for each N,
so that machine noise hits both alike. Reported: min/median/max over the rounds.

    .venv/bin/python bench/bench_ingest.py          # 500, 1000, 2500 pages; N = 1, 2; 3 rounds (about 8 min)
    .venv/bin/python bench/bench_ingest.py --sizes 1000 --processes 1 2 4 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("WEERBAAR_SHARED", HERE.parent.parent / "shared"))


def corpus_pdfs() -> list[Path]:
    folders = [SHARED / "corpus" / "gemeente-wassenaar", SHARED / "corpus" / "gemeente-den-haag-2025"]
    files = [p for f in folders for p in sorted(f.glob("*.pdf"))]
    if not files:
        sys.exit(f"no PDFs found under {SHARED}/corpus; set WEERBAAR_SHARED")
    return files


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(path) as doc:  # type: ignore[attr-defined]
        return len(doc)


def build_set(target_pages: int, folder: Path) -> tuple[list[Path], int]:
    """Copies of the corpus PDFs (repeated as needed) adding up to at least ``target_pages``."""
    sources = [(p, page_count(p)) for p in corpus_pdfs()]
    files, pages, copy = [], 0, 0
    while pages < target_pages:
        for src, n in sources:
            if pages >= target_pages:
                break
            dst = folder / f"c{copy}-{src.name}"
            dst.write_bytes(src.read_bytes() + f"\n%weerbaar-bench-copy-{copy}\n".encode())
            files.append(dst)
            pages += n
        copy += 1
    return files, pages


def worker_raw(files: list[Path]) -> dict:
    """What a bare extraction costs: open, get every page's text layer, nothing else."""
    import pypdfium2 as pdfium

    pages = chars = 0
    began = time.time()
    for path in files:
        doc = pdfium.PdfDocument(path)
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
            pages += 1
        doc.close()
    return {"began": began, "ended": time.time(), "pages": pages, "chars": chars}


def worker_ingest(files: list[Path], processes: int) -> dict:
    """The full pipeline into a new workspace: hashing, extraction, screening, metadata,
    passages and stemming in ``processes`` processes, SQLite writes with the full-text index in this one."""
    from weerbaar.ingest.pipeline import ingest_paths
    from weerbaar.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Workspace.open(Path(tmp) / "ws", create=True) as ws:
            report = ingest_paths(ws, files, processes=processes)
        seconds = time.perf_counter() - start
        size = sum(f.stat().st_size for f in (Path(tmp) / "ws").iterdir())
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "pages": report.pages, "passages": report.passages,
            "skipped": len(report.skipped), "workspace_bytes": size,
            "worker_peak_rss_mb": workers.ru_maxrss / 1024,
            "writer_cpu_s": own.ru_utime + own.ru_stime, "workers_cpu_s": workers.ru_utime + workers.ru_stime}


def shares(files: list[Path], pages: dict[Path, int], n: int) -> list[list[Path]]:
    """``files`` in ``n`` shares of about equal pages (longest first, each to the lightest share)."""
    parts: list[list[Path]] = [[] for _ in range(n)]
    load = [0] * n
    for f in sorted(files, key=lambda f: -pages[f]):
        i = load.index(min(load))
        parts[i].append(f)
        load[i] += pages[f]
    return [p for p in parts if p]


def run_raw(parts: list[Path]) -> dict:
    """N raw extractions at once, one process each; wall time from the first start to the last end."""
    before = os.times()
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", "raw", str(p)], stdout=subprocess.PIPE, text=True)
             for p in parts]
    results = [json.loads(p.communicate()[0]) for p in procs]
    if any(p.returncode for p in procs):
        sys.exit("a raw extraction failed")
    return {"seconds": max(r["ended"] for r in results) - min(r["began"] for r in results),
            "pages": sum(r["pages"] for r in results), "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "cpu_s": cpu_since(before)}


def cpu_since(before: os.times_result) -> float:
    """User + system CPU seconds of the child processes waited for since ``before`` (their own children included)."""
    now = os.times()
    return (now.children_user - before.children_user) + (now.children_system - before.children_system)


def run_ingest(list_file: Path, processes: int) -> dict:
    before = os.times()
    out = subprocess.run([sys.executable, __file__, str(list_file), "--worker", "ingest", "--processes", str(processes)],
                         capture_output=True, text=True, check=True)
    return {**json.loads(out.stdout), "cpu_s": cpu_since(before)}


def spread(values: list[float], fmt: str = ".0f") -> str:
    return f"{min(values):{fmt}} / {statistics.median(values):{fmt}} / {max(values):{fmt}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2500])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", choices=["raw", "ingest"])
    parser.add_argument("list_file", nargs="?")
    args = parser.parse_args()

    if args.worker:
        files = [Path(line) for line in Path(args.list_file).read_text().splitlines()]
        result = worker_raw(files) if args.worker == "raw" else worker_ingest(files, args.processes[0])
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    load_before = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"load average {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} (1/5/15 min)", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"set-{size}"
            folder.mkdir()
            files, pages = build_set(size, folder)
            counts = {f: page_count(f) for f in files}
            list_file = folder / "files.txt"
            list_file.write_text("\n".join(str(f) for f in files))
            share_files = {}
            for n in args.processes:
                share_files[n] = []
                for i, part in enumerate(shares(files, counts, n)):
                    share_files[n].append(folder / f"share-{n}-{i}.txt")
                    share_files[n][-1].write_text("\n".join(str(f) for f in part))
            raw: dict[int, list[dict]] = {n: [] for n in args.processes}
            ing: dict[int, list[dict]] = {n: [] for n in args.processes}
            for _ in range(args.rounds):
                for n in args.processes:
                    raw[n].append(run_raw(share_files[n]))
                    ing[n].append(run_ingest(list_file, n))
            for n in args.processes:
                row = {
                    "target_pages": size, "pages": pages, "files": len(files), "processes": n,
                    "raw_pages_per_s": [pages / r["seconds"] for r in raw[n]],
                    "ingest_pages_per_s": [pages / i["seconds"] for i in ing[n]],
                    "ratio_per_round": [r["seconds"] / i["seconds"] for r, i in zip(raw[n], ing[n])],
                    # CPU seconds (user + system), all processes; the ingest process's imports included
                    "raw_cpu_s": [r["cpu_s"] for r in raw[n]], "ingest_cpu_s": [i["cpu_s"] for i in ing[n]],
                    "ingest_writer_cpu_s": [i["writer_cpu_s"] for i in ing[n]],
                    "ingest_workers_cpu_s": [i["workers_cpu_s"] for i in ing[n]],
                    "cpu_ratio_per_round": [r["cpu_s"] / i["cpu_s"] for r, i in zip(raw[n], ing[n])],
                    "raw_peak_rss_mb": max(r["peak_rss_mb"] for r in raw[n]),
                    "ingest_peak_rss_mb": max(i["peak_rss_mb"] for i in ing[n]),
                    "ingest_worker_peak_rss_mb": max(i["worker_peak_rss_mb"] for i in ing[n]),
                    "passages": ing[n][0]["passages"], "workspace_mb": ing[n][0]["workspace_bytes"] / 2**20,
                }
                rows.append(row)
                print(f"{pages:>5} pages, {len(files):>4} files, N={n}: raw {spread(row['raw_pages_per_s'])} p/s, "
                      f"ingest {spread(row['ingest_pages_per_s'])} p/s, ingest/raw {spread(row['ratio_per_round'], '.2f')}, "
                      f"passages {row['passages']}; CPU s raw {spread(row['raw_cpu_s'], '.1f')}, ingest "
                      f"{spread(row['ingest_cpu_s'], '.1f')} (writer {spread(row['ingest_writer_cpu_s'], '.1f')}), "
                      f"raw/ingest CPU {spread(row['cpu_ratio_per_round'], '.2f')}", flush=True)
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f}")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "ingest.json").write_text(json.dumps({"load_before": load_before, "load_after": load_after,
                                                     "cores": os.cpu_count(), "rows": rows}, indent=2))
    print("\n| pages | files | N | raw (pages/s) | ingest (pages/s) | ingest / raw | peak RSS raw, per process (MB) "
          "| peak RSS ingest, writer / worker (MB) | passages | workspace (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['pages']} | {r['files']} | {r['processes']} | {spread(r['raw_pages_per_s'])} | "
              f"{spread(r['ingest_pages_per_s'])} | {spread(r['ratio_per_round'], '.2f')} | {r['raw_peak_rss_mb']:.0f} | "
              f"{r['ingest_peak_rss_mb']:.0f} / {r['ingest_worker_peak_rss_mb']:.0f} | {r['passages']} | "
              f"{r['workspace_mb']:.1f} |")
    print("\n| pages | N | CPU raw (s) | CPU ingest (s) | of which writer (s) | of which workers (s) | raw / ingest CPU |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['pages']} | {r['processes']} | {spread(r['raw_cpu_s'], '.1f')} | {spread(r['ingest_cpu_s'], '.1f')} | "
              f"{spread(r['ingest_writer_cpu_s'], '.1f')} | {spread(r['ingest_workers_cpu_s'], '.1f')} | "
              f"{spread(r['cpu_ratio_per_round'], '.2f')} |")
    print("\n(min / median / max over the rounds; the ratios are per round, raw and ingest run back to back)")


if __name__ == "__main__":
    main()
