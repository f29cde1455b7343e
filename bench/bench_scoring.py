"""Per-passage cost of everything analysis does besides embedding: features, scores, stage, subject,
elements and groups — the current code against a baseline source tree, side by side.

Embedding (USE v3) is the bulk of ``analyseer`` and does not change with the classifier; this
measures what the classifier adds on top, on real passages of ../shared with their stored vectors.

    .venv/bin/python bench/bench_scoring.py WORKSPACE [--baseline-src OLD/src] [--passages 5000]

WORKSPACE: an analysed workspace of ../shared (``weerbaar ingest ../shared/seeds ../shared/corpus``
then ``weerbaar analyseer``). Each side runs in its own process, three times, alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

WORKER = r"""
import json, sqlite3, sys, time
import numpy as np
from weerbaar.codebook import load_codebook
from weerbaar.classify.analyser import Analyser
from weerbaar.embeddings import Embedder, from_blobs
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import RelevanceModel
path, n = sys.argv[1], int(sys.argv[2])
conn = sqlite3.connect(path)
rows = conn.execute("SELECT p.text, e.vector FROM passages p JOIN passage_embeddings e ON e.passage_id = p.id "
                    "ORDER BY p.id LIMIT ?", (n,)).fetchall()
texts, vectors = [r[0] for r in rows], from_blobs([r[1] for r in rows])
analyser = Analyser(load_codebook(), RelevanceModel.builtin(), Embedder(workers=1))
stats = CorpusStats.reference() if hasattr(CorpusStats, "reference") else CorpusStats.uniform()
start = time.perf_counter()
for i in range(0, len(texts), 1024):
    analyser.analyse(texts[i:i + 1024], stats, vectors[i:i + 1024])
print(json.dumps({"passages": len(texts), "seconds": time.perf_counter() - start}))
"""


def run(src: str | None, workspace: str, n: int) -> float:
    env = dict(os.environ, PYTHONPATH=src) if src else dict(os.environ)
    out = subprocess.run([sys.executable, "-c", WORKER, workspace, str(n)], env=env, capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return 1000 * result["seconds"] / result["passages"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workspace")
    parser.add_argument("--baseline-src")
    parser.add_argument("--passages", type=int, default=5000)
    args = parser.parse_args()
    db = os.path.join(args.workspace, "weerbaar.sqlite")
    sides = {"nu": None} | ({"basis": args.baseline_src} if args.baseline_src else {})
    times: dict[str, list[float]] = {k: [] for k in sides}
    for _ in range(3):
        for name, src in sides.items():
            times[name].append(run(src, db, args.passages))
    for name, values in times.items():
        print(f"{name}: {statistics.median(values):.3f} ms per passage (min {min(values):.3f}, max {max(values):.3f}; "
              f"{args.passages} passages, 3 runs)")
    if args.baseline_src:
        print(f"verhouding nu/basis (mediaan): {statistics.median(times['nu']) / statistics.median(times['basis']):.2f}")


if __name__ == "__main__":
    main()
