"""Search by meaning at scale: the usearch HNSW index against the old float16 matrix product.

The vectors are "realistic random": a few thousand real sentence embeddings (the demo corpus's
passages, ingested without analysis and embedded with the project's encoder) serve as centres,
and every benchmark vector is a centre plus Gaussian noise, normalised, so that its cosine to its
centre is about 0.8 (as near duplicates and paraphrases in council text are). Queries are made
the same way and are not in the index. The index is the one ``weerbaar.index.vectors`` builds
(float32, inner product, same connectivity and expansion settings), filled in batches of 50,000.

For each size it reports the build time, the index's memory, single-query latency p50/p95 over
the queries for the 10 nearest (no filter) and for 200 (the over-fetch when filters apply),
recall@10 against an exact float32 scan, recall at other search expansions, and beside it the old
path (every vector as float16 times the query, as ``semantic.py`` did before) at the same size —
at 1M only a few queries of it, since each takes seconds.

    .venv/bin/python bench/bench_vector_search.py                       # 10k, 100k, 1M
    .venv/bin/python bench/bench_vector_search.py --sizes 10000 100000  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

NOISE_COSINE = 0.8


def centres(n: int) -> np.ndarray:
    """Real sentence embeddings of up to ``n`` pieces of demo text."""
    from weerbaar.demo import build_demo
    from weerbaar.embeddings import Embedder
    from weerbaar.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "werkruimte"
        build_demo(folder, fresh=True, analyse=False, decisions=False)
        with Workspace.open(folder) as ws:
            passages = ws.passages.texts(100_000)
    # The demo has few passages: its sentences and overlapping 12-word windows give enough distinct texts.
    texts: list[str] = []
    for passage in passages:
        texts += [s.strip() for s in re.split(r"(?<=[.!?])\s+", passage) if len(s.split()) >= 4]
        words = passage.split()
        texts += [" ".join(words[i : i + 12]) for i in range(0, max(len(words) - 11, 1), 3)]
    texts = list(dict.fromkeys(texts))[:n]
    embedder = Embedder()
    try:
        return embedder.encode(texts).astype(np.float32)
    finally:
        embedder.close()


def around(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unit vectors, each a random centre plus noise (cosine to its centre about NOISE_COSINE)."""
    dim = base.shape[1]
    scale = np.sqrt(1 / NOISE_COSINE**2 - 1) / np.sqrt(dim)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        v = base[rng.integers(0, len(base), m)] + scale * rng.standard_normal((m, dim)).astype(np.float32)
        out[start : start + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """The exact k nearest per query (float32 scan, in blocks to bound memory)."""
    best_ids = np.empty((len(queries), 0), dtype=np.int64)
    best_scores = np.empty((len(queries), 0), dtype=np.float32)
    for start in range(0, len(vectors), 200_000):
        scores = queries @ vectors[start : start + 200_000].T
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        best_ids = np.hstack([best_ids, top + start])
        best_scores = np.hstack([best_scores, np.take_along_axis(scores, top, axis=1)])
        keep = np.argsort(-best_scores, axis=1)[:, :k]
        best_ids, best_scores = np.take_along_axis(best_ids, keep, 1), np.take_along_axis(best_scores, keep, 1)
    return best_ids


def latencies(fn, queries: np.ndarray) -> dict:
    times = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
            "n": len(times)}


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n: int, base: np.ndarray, queries: np.ndarray, rng: np.random.Generator, old_queries: int) -> dict:
    from weerbaar.index import vectors as vi

    vectors = around(base, n, rng)
    keys = np.arange(n, dtype=np.uint64)
    before = rss_mb()
    t = time.perf_counter()
    index = vi.new_index()
    for start in range(0, n, vi.BUILD_BATCH):
        index.add(keys[start : start + vi.BUILD_BATCH], vectors[start : start + vi.BUILD_BATCH])
    build_s = time.perf_counter() - t
    index_mb = rss_mb() - before
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / vi.INDEX_FILENAME
        t = time.perf_counter()
        index.save(str(path))
        save_s, file_mb = time.perf_counter() - t, path.stat().st_size / 2**20
        loaded = vi.new_index()
        t = time.perf_counter()
        loaded.load(str(path))
        load_s = time.perf_counter() - t
        del loaded
    truth = exact_top(vectors, queries, 10)
    recall = {}
    for ef in (32, 64, vi.EXPANSION_SEARCH, 256):
        index.expansion_search = ef
        found = index.search(queries, 10).keys
        recall[ef] = round(float(np.mean([len(set(found[i]) & set(truth[i])) / 10 for i in range(len(queries))])), 4)
    index.expansion_search = vi.EXPANSION_SEARCH
    hnsw10 = latencies(lambda q, ix=index: ix.search(q, 10), queries)
    hnsw200 = latencies(lambda q, ix=index: ix.search(q, 200), queries)
    exact_usearch = latencies(lambda q, ix=index: ix.search(q, 10, exact=True), queries[: 50 if n <= 100_000 else 5])
    v32_scan = latencies(lambda q, vs=vectors: np.argpartition(-(vs @ q), 10)[:10], queries[: 50 if n <= 100_000 else 10])
    del index
    v16 = vectors.astype(np.float16)
    del vectors
    old = latencies(lambda q: np.argsort(-(v16 @ q.astype(np.float16)).astype(np.float32)),
                    queries[: old_queries if n <= 100_000 else 3])
    return {"vectors": n, "build_s": round(build_s, 1), "build_per_s": round(n / build_s), "index_rss_mb": round(index_mb),
            "file_mb": round(file_mb), "save_s": round(save_s, 2), "load_s": round(load_s, 2),
            "hnsw_k10": hnsw10, "hnsw_k200": hnsw200, "recall_at_10_by_expansion": recall,
            "usearch_exact_k10": exact_usearch, "float32_numpy_scan": v32_scan, "old_float16_matmul": old,
            "old_float16_mb": round(v16.nbytes / 2**20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--centres", type=int, default=3000)
    parser.add_argument("--expansion-add", type=int, default=None, help="HNSW build expansion (default: the app's)")
    parser.add_argument("--old-queries", type=int, default=20, help="queries timed on the old path (≤ 100k)")
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    from weerbaar.index import vectors as vi

    if args.expansion_add:
        vi.EXPANSION_ADD = args.expansion_add
    print(f"connectivity {vi.CONNECTIVITY}, expansion_add {vi.EXPANSION_ADD}, expansion_search {vi.EXPANSION_SEARCH}")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} UTC · {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f}",
          flush=True)
    t = time.perf_counter()
    base = centres(args.centres)
    print(f"{len(base)} real demo embeddings as centres ({time.perf_counter() - t:.0f} s)", flush=True)
    queries = around(base, args.queries, rng)
    results = []
    for n in args.sizes:
        r = run_size(n, base, queries, rng, args.old_queries)
        r["load_after"] = round(os.getloadavg()[0], 2)
        results.append(r)
        print(json.dumps(r), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "vector_search.json").write_text(json.dumps(results, indent=1))
    if args.json:
        figures: dict[str, float] = {}
        for r in results:
            n = f"{r['vectors']:,} vectors"
            figures |= {f"{n}: build (vectors/s)": r["build_per_s"], f"{n}: index memory, RSS (MB)": r["index_rss_mb"],
                        f"{n}: index k=10 p50 (ms)": r["hnsw_k10"]["p50_ms"],
                        f"{n}: index k=10 p95 (ms)": r["hnsw_k10"]["p95_ms"],
                        f"{n}: index k=200 p95 (ms)": r["hnsw_k200"]["p95_ms"],
                        f"{n}: recall@10 at expansion_search {vi.EXPANSION_SEARCH} (share)":
                            r["recall_at_10_by_expansion"][vi.EXPANSION_SEARCH],
                        f"{n}: float32 numpy scan p50 (ms)": r["float32_numpy_scan"]["p50_ms"],
                        f"{n}: old float16 product p50 (ms)": r["old_float16_matmul"]["p50_ms"]}
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
