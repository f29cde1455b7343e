"""Ingest throughput against raw PDF text extraction, and how both grow with the number of pages.

Corpus: the real PDFs in ../shared/corpus (four Wassenaar budgets and annual accounts, the Den
Haag council PDFs). To grow the set, files are repeated; each copy gets a few bytes appended
after %%EOF so its content hash differs and ingest really processes it again.

Each measurement runs in a fresh subprocess (so peak RSS is that run's own), and the raw and
ingest runs of one size alternate, so that machine noise hits both alike.

    .venv/bin/python bench/bench_ingest.py                      # sizes 100..5000 pages, 3 rounds
    .venv/bin/python bench/bench_ingest.py --sizes 100 1000 --rounds 1
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
    start = time.perf_counter()
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
    return {"seconds": time.perf_counter() - start, "pages": pages, "chars": chars}


def worker_ingest(files: list[Path]) -> dict:
    """The full pipeline into a new workspace: hashing, extraction, screening, metadata,
    passages, stemming and SQLite writes with the full-text index."""
    from weerbaar.ingest.pipeline import ingest_paths
    from weerbaar.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with Workspace.open(Path(tmp) / "ws", create=True) as ws:
            report = ingest_paths(ws, files)
        seconds = time.perf_counter() - start
        size = sum(f.stat().st_size for f in (Path(tmp) / "ws").iterdir())
    return {"seconds": seconds, "pages": report.pages, "passages": report.passages,
            "skipped": len(report.skipped), "workspace_bytes": size}


def run_worker(kind: str, list_file: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, str(list_file)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000, 2500, 5000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", choices=["raw", "ingest"])
    parser.add_argument("list_file", nargs="?")
    args = parser.parse_args()

    if args.worker:
        files = [Path(line) for line in Path(args.list_file).read_text().splitlines()]
        result = (worker_raw if args.worker == "raw" else worker_ingest)(files)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"set-{size}"
            folder.mkdir()
            files, pages = build_set(size, folder)
            list_file = folder / "files.txt"
            list_file.write_text("\n".join(str(f) for f in files))
            raw, ing = [], []
            for _ in range(args.rounds):
                raw.append(run_worker("raw", list_file))
                ing.append(run_worker("ingest", list_file))
            raw_s = statistics.median(r["seconds"] for r in raw)
            ing_s = statistics.median(r["seconds"] for r in ing)
            row = {
                "target_pages": size, "pages": pages, "files": len(files),
                "raw_pages_per_s": pages / raw_s, "ingest_pages_per_s": pages / ing_s,
                "ratio": raw_s / ing_s,
                "raw_peak_rss_mb": max(r["peak_rss_mb"] for r in raw),
                "ingest_peak_rss_mb": max(r["peak_rss_mb"] for r in ing),
                "passages": ing[0]["passages"], "workspace_mb": ing[0]["workspace_bytes"] / 2**20,
                "ratios_per_round": [r["seconds"] / i["seconds"] for r, i in zip(raw, ing)],
            }
            rows.append(row)
            print(f"{pages:>5} pages, {len(files):>4} files: raw {row['raw_pages_per_s']:6.0f} p/s, "
                  f"ingest {row['ingest_pages_per_s']:6.0f} p/s, ratio {row['ratio']:.2f}, "
                  f"peak RSS raw {row['raw_peak_rss_mb']:.0f} MB / ingest {row['ingest_peak_rss_mb']:.0f} MB, "
                  f"workspace {row['workspace_mb']:.1f} MB", flush=True)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "ingest.json").write_text(json.dumps(rows, indent=2))
    print("\n| pages | files | raw extraction (pages/s) | ingest (pages/s) | ingest / raw | peak RSS raw (MB) "
          "| peak RSS ingest (MB) | passages | workspace (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['pages']} | {r['files']} | {r['raw_pages_per_s']:.0f} | {r['ingest_pages_per_s']:.0f} | "
              f"{r['ratio']:.2f} | {r['raw_peak_rss_mb']:.0f} | {r['ingest_peak_rss_mb']:.0f} | {r['passages']} | "
              f"{r['workspace_mb']:.1f} |")


if __name__ == "__main__":
    main()
