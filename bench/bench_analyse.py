"""Analysis cost on 10k and 100k passages, embedding throughput, ranking latency and memory.

Corpus: the real PDFs in ../shared/corpus (Wassenaar, Den Haag), repeated until the workspace
holds the target number of passages (copies get a few bytes after %%EOF so they count as new
documents). Repeated copies have identical text; nothing is cached by text, so every passage is
embedded again, as unique text would be.

    .venv/bin/python bench/bench_analyse.py                 # 10k and 100k passages (~20 minutes)
    .venv/bin/python bench/bench_analyse.py --sizes 10000
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
sys.path.insert(0, str(HERE))
from bench_ingest import build_set  # noqa: E402


def build_workspace(folder: Path, target_passages: int) -> dict:
    """Ingest copies of the corpus until the workspace has at least ``target_passages``."""
    from weerbaar.ingest.pipeline import ingest_paths
    from weerbaar.workspace import Workspace

    pages_needed = int(target_passages / 3.2) + 200  # about 3.2 passages per page in this corpus
    (folder / "docs").mkdir()
    files, _ = build_set(pages_needed, folder / "docs")
    start = time.perf_counter()
    with Workspace.open(folder / "ws", create=True) as ws:
        ingest_paths(ws, files)
        n = ws.passages.count()
    return {"passages": n, "ingest_seconds": time.perf_counter() - start}


def worker_analyse(ws_folder: Path) -> dict:
    from weerbaar.classify.pipeline import analyse_workspace
    from weerbaar.codebook import load_codebook
    from weerbaar.workspace import Workspace

    start = time.perf_counter()
    with Workspace.open(ws_folder) as ws:
        report = analyse_workspace(ws, load_codebook())
        suggestions = ws.analysis.suggestion_count()
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "analysed": report.analysed, "embedded": report.embedded, "suggestions": suggestions,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "peak_rss_worker_mb": children}


def worker_incremental(ws_folder: Path) -> dict:
    """A second run with nothing new: what 'analyseer' costs when there is nothing to do."""
    return worker_analyse(ws_folder)


def ranking_latency(ws_folder: Path, repeats: int = 20) -> dict:
    from weerbaar.classify.ranking import ranked_passages
    from weerbaar.codebook import load_codebook
    from weerbaar.workspace import Workspace

    book = load_codebook()
    crucial = [m.id for m in book.measures if m.crucial]
    times = []
    with Workspace.open(ws_folder) as ws:
        for _ in range(repeats):
            for m in crucial:
                t = time.perf_counter()
                ranked_passages(ws, book, m, top=20)
                times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95)], "max_ms": times[-1]}


def embedding_throughput(n: int = 1024) -> dict:
    """Pool of single-threaded models (what analyseer uses) against one model with all BLAS threads."""
    from weerbaar.embeddings import Embedder, _load
    from weerbaar.workspace import Workspace

    texts = None
    for db in Path(tempfile.gettempdir()).glob("weerbaar-bench-*/ws/weerbaar.sqlite"):
        with Workspace.open(db.parent) as ws:
            texts = ws.passages.texts(n)
        break
    if not texts:
        return {}
    single = _load(threads=os.cpu_count())
    single.encode(texts[:16])
    t = time.perf_counter()
    single.encode(texts)
    single_rate = n / (time.perf_counter() - t)
    with Embedder() as pooled:
        pooled.encode(texts[: 300])  # start the pool
        t = time.perf_counter()
        pooled.encode(texts)
        pooled_rate = n / (time.perf_counter() - t)
    return {"passages": n, "one_process_all_threads_per_s": single_rate, "pool_per_s": pooled_rate,
            "ratio": pooled_rate / single_rate, "workers": os.cpu_count()}


def headline(rows: list[dict]) -> dict[str, float]:
    """The figures BENCHMARKS.md quotes, flat: ``{"figure (unit)": value}``."""
    figures: dict[str, float] = {}
    for r in rows:
        a, size = r["analyse"], f"≥ {r['target']:,} passages"
        figures |= {f"{size}: passages (count)": r["passages"], f"{size}: passages embedded (count)": a["embedded"],
                    f"{size}: analyse (s)": a["seconds"], f"{size}: analyse (passages/s)": a["analysed"] / a["seconds"],
                    f"{size}: peak RSS main process (MB)": a["peak_rss_mb"],
                    f"{size}: peak RSS per embedding worker (MB)": a["peak_rss_worker_mb"],
                    f"{size}: re-run with nothing new (s)": r["nothing_new"]["seconds"],
                    f"{size}: ranking one measure median (ms)": r["ranking"]["median_ms"],
                    f"{size}: ranking one measure p95 (ms)": r["ranking"]["p95_ms"]}
        if r["embedding"]:
            e = r["embedding"]
            figures |= {"embedding, one process with all BLAS threads (passages/s)": e["one_process_all_threads_per_s"],
                        f"embedding, pool of {e['workers']} single-threaded models (passages/s)": e["pool_per_s"],
                        "embedding, pool / one process (ratio)": e["ratio"]}
    return figures


def run(kind: str, ws_folder: Path, embedding_passages: int = 1024) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, str(ws_folder), "--embedding-passages",
                          str(embedding_passages)], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--worker", choices=["analyse", "incremental", "ranking", "embedding"])
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    parser.add_argument("--embedding-passages", type=int, default=1024, help="passages for the embedding throughput")
    parser.add_argument("folder", nargs="?")
    args = parser.parse_args()
    if args.worker:
        fn = {"analyse": worker_analyse, "incremental": worker_incremental, "ranking": ranking_latency,
              "embedding": lambda _: embedding_throughput(args.embedding_passages)}[args.worker]
        print(json.dumps(fn(Path(args.folder) if args.folder else None)))
        return
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as tmp:
            folder = Path(tmp)
            built = build_workspace(folder, size)
            print(f"{built['passages']} passages ingested in {built['ingest_seconds']:.0f} s", flush=True)
            first = run("analyse", folder / "ws")
            again = run("incremental", folder / "ws")
            ranking = run("ranking", folder / "ws")
            embedding = run("embedding", folder, args.embedding_passages) if size == args.sizes[0] else {}
            row = {"target": size, **built, "analyse": first, "nothing_new": again, "ranking": ranking,
                   "embedding": embedding}
            rows.append(row)
            print(json.dumps(row, indent=2), flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "analyse.json").write_text(json.dumps(rows, indent=2))
    if args.json:
        args.json.write_text(json.dumps(headline(rows), indent=1))
    print("\n| passages | analyse (s) | passages/s | peak RSS main (MB) | peak RSS worker (MB) | nothing new (s) "
          "| ranking median / p95 (ms) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        a = r["analyse"]
        print(f"| {r['passages']} | {a['seconds']:.0f} | {a['analysed'] / a['seconds']:.0f} | {a['peak_rss_mb']:.0f} | "
              f"{a['peak_rss_worker_mb']:.0f} | {r['nothing_new']['seconds']:.1f} | "
              f"{r['ranking']['median_ms']:.1f} / {r['ranking']['p95_ms']:.1f} |")


if __name__ == "__main__":
    main()
