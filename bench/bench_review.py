"""Speed of the review app on a large workspace: page loads and decisions, p50 / p95 / max.

The workspace is synthetic at the store level (documents, pages, passages, suggestions and
analysis rows written through the workspace's repositories, with random scores), so that 100k
passages take seconds instead of
the quarter of an hour a real analysis costs; the app's queries and templates see the same table
sizes as after a real run. The app runs as a real ``weerbaar review`` server; requests come from
httpx in this process, one at a time, as one reviewer works.

    .venv/bin/python bench/bench_review.py --passages 100000
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from weerbaar.codebook import load_codebook
from weerbaar.index.analysis import index_text
from weerbaar.ingest.metadata import DocumentMeta
from weerbaar.workspace import Workspace
from weerbaar.workspace.records import PassageAnalysis, Suggestion

PER_DOCUMENT = 500
WORDS = ("gemeente noodsteunpunt stroomuitval drinkwater continuïteit crisisorganisatie inwoners wijk oefening "
         "plan budget locatie communicatie partners kwetsbare groepen zorg veiligheidsregio draaiboek").split()


def build(folder: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    measures = [m.id for m in load_codebook().measures]
    with Workspace.open(folder, create=True) as ws:
        run = ws.analysis.start_run("bench", {"threshold": 0.26})
        for doc in range(n // PER_DOCUMENT):
            pages, spans = [], []
            for page in range(PER_DOCUMENT // 5):
                sentences = [" ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + "." for _ in range(5)]
                pages.append(" ".join(sentences))
                pos = 0
                for sentence in sentences:
                    spans.append((page + 1, pos, pos + len(sentence)))
                    pos += len(sentence) + 1
            meta = DocumentMeta(organisation=f"Gemeente {doc % 40}", doc_type="begroting", year=2018 + doc % 8,
                                title=f"Document {doc}")
            with ws.transaction():
                doc_id = ws.documents.add(Path(f"/bench/{doc}.txt"), sha256=f"{doc:064x}", size_bytes=0, format="txt",
                                          meta=meta, page_count=len(pages), paginated=True, source_info={}, notes=[])
                ids = ws.passages.add(doc_id, pages, [None] * len(pages), spans, index_text)
            analyses, suggestions = [], []
            for pid in ids:
                analyses.append(PassageAnalysis(passage_id=pid, config_key="bench", run_id=run, stage=rng.randint(0, 4),
                                                stage_cue=None, vulnerable_terms=[]))
                for m in rng.sample(measures, 3):
                    score = rng.betavariate(1, 6)
                    suggestions.append(Suggestion(passage_id=pid, measure_id=m, score=score, lexical=score,
                                                  semantic=score, elements={}))
            ws.analysis.store(ids, analyses, suggestions)
        ws.analysis.finish_run(run, n)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--besluiten", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        t = time.perf_counter()
        build(folder, args.passages)
        print(f"workspace: {args.passages} passages, built in {time.perf_counter() - t:.0f} s")
        port = 8791
        server = subprocess.Popen([sys.executable, "-m", "weerbaar", "review", "-w", str(folder), "--poort", str(port),
                                   "--geen-browser"], stderr=subprocess.DEVNULL)
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies={"weerbaar_beoordelaar": "Bench"},
                                  timeout=60)
            for _ in range(100):
                try:
                    client.get("/documenten")
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
            first = timed(lambda: client.get("/maatregel/2.2"))  # loads the measure's candidates once
            csrf = re.search(r'name="csrf" value="(\w+)"', client.get("/team").text)[1]
            queue, decide, overview, document = [], [], [], []
            rng = random.Random(2)
            for i in range(args.besluiten):
                html = []
                queue.append(timed(lambda: html.append(client.get("/maatregel/2.2").text)))
                pid = re.search(r'name="passage_id" value="(\d+)"', html[0])[1]
                decide.append(timed(lambda: client.post("/beslissing", data={
                    "passage_id": pid, "measure_id": "2.2", "besluit": "relevant" if rng.random() < 0.3 else "niet",
                    "csrf": csrf, "fase": "3", "terug": "/maatregel/2.2"})))
                if i % 10 == 0:
                    overview.append(timed(lambda: client.get("/")))
                    document.append(timed(lambda: client.get(f"/document/{1 + i % 50}")))
            print(f"first queue page (loads the candidates): {first:.0f} ms")
            print("| request | n | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
            for name, ms in (("queue page (next passage)", queue), ("decision (POST, stored)", decide),
                             ("measures overview", overview), ("document view (500 passages)", document)):
                print(summary(name, ms))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
