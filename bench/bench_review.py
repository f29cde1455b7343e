"""Speed of the review app on a large workspace: page loads and decisions, p50 / p95 / max.

The workspace is synthetic at the store level (documents, pages, passages, suggestions and
analysis rows written through the workspace's repositories, with random scores), so that 100k
passages take seconds instead of
the quarter of an hour a real analysis costs; the app's queries and templates see the same table
sizes as after a real run. The app runs as a real ``weerbaar review`` server; requests come from
httpx in this process, one at a time, as one reviewer works down measure 2.2's queue (30 %
relevant), so the decisions are the ones that make the queue re-rank (active learning): on the
request path before issue 14, in the app's background worker since. Every round starts from a
fresh copy of the same workspace; with ``--basis-src`` (a checkout's ``src`` folder, e.g. main
before the change) the old code serves the same rounds, alternating, for a side-by-side figure.

    .venv/bin/python bench/bench_review.py --passages 100000 --rondes 3
    git archive 7e01314 src | tar -x -C /tmp/base14 && \
        .venv/bin/python bench/bench_review.py --passages 100000 --rondes 3 --basis-src /tmp/base14/src
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from server import review_server

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


def percentile(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return ms[int(q * (len(ms) - 1))]


REQUESTS = ("queue page (next passage)", "decision (POST, stored)", "measures overview", "document view (500 passages)")


def one_round(folder: Path, decisions: int, src: str | None, port: int) -> dict:
    """One reviewer's session on a fresh server: the ms of every request, per kind."""
    with review_server(folder, port, pythonpath=src) as (_, client):
        first = timed(lambda: client.get("/maatregel/2.2"))  # loads the measure's candidates once
        csrf = re.search(r'name="csrf" value="(\w+)"', client.get("/team").text)[1]
        times: dict[str, list[float]] = {name: [] for name in REQUESTS}
        rng = random.Random(2)
        shown: list[str] = []
        html = ""
        for i in range(decisions):
            page = []
            times[REQUESTS[0]].append(timed(lambda page=page: page.append(client.get("/maatregel/2.2").text)))
            html = page[0]
            pid = re.search(r'name="passage_id" value="(\d+)"', html)[1]
            if pid in shown:
                raise SystemExit(f"passage {pid} came back after it was decided")
            shown.append(pid)
            times[REQUESTS[1]].append(timed(lambda pid=pid: client.post("/beslissing", data={
                "passage_id": pid, "measure_id": "2.2", "besluit": "relevant" if rng.random() < 0.3 else "niet",
                "csrf": csrf, "fase": "3", "terug": "/maatregel/2.2"})))
            if i % 10 == 0:
                times[REQUESTS[2]].append(timed(lambda: client.get("/")))
                times[REQUESTS[3]].append(timed(lambda i=i: client.get(f"/document/{1 + i % 50}")))
        return {"first": first, "times": times, "learned": "volgorde aangepast aan uw beslissingen" in html}


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--besluiten", type=int, default=200)
    parser.add_argument("--rondes", type=int, default=3, help="rounds per side (min / median / max over them)")
    parser.add_argument("--basis-src", help="src folder of the code to compare with (served by the same rounds)")
    parser.add_argument("--json", type=Path,
                        help="write the headline figures of the current code here as flat JSON (a list per round)")
    args = parser.parse_args()
    sides = {"nu": None} | ({"basis": args.basis_src} if args.basis_src else {})
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "ws"
        t = time.perf_counter()
        build(pristine, args.passages)
        print(f"workspace: {args.passages} passages, built in {time.perf_counter() - t:.0f} s; "
              f"cores: {os.cpu_count()}, load before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        results: dict[str, list[dict]] = {side: [] for side in sides}
        for r in range(args.rondes):
            for side, src in sides.items():
                folder = Path(tmp) / f"{side}-{r}"
                shutil.copytree(pristine, folder)
                results[side].append(one_round(folder, args.besluiten, src, 8791))
                shutil.rmtree(folder)
                last = results[side][-1]
                print(f"round {r + 1} {side}: queue p95 {percentile(last['times'][REQUESTS[0]], 0.95):.1f} ms, "
                      f"decision p95 {percentile(last['times'][REQUESTS[1]], 0.95):.1f} ms, "
                      f"order learned at the end: {last['learned']}", flush=True)
        print(f"load after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"\n{args.besluiten} decisions per round, {args.rondes} rounds per side; min / median / max over rounds")
        print("| request | side | median ms | p95 ms | max ms |\n|---|---|---:|---:|---:|")
        for name in REQUESTS:
            for side in sides:
                runs = [res["times"][name] for res in results[side]]
                print(f"| {name} | {side} | {spread([statistics.median(x) for x in runs])} | "
                      f"{spread([percentile(x, 0.95) for x in runs])} | {spread([max(x) for x in runs])} |")
        for side in sides:
            print(f"first queue page (loads the candidates), {side}: {spread([res['first'] for res in results[side]])} ms")
    if args.json:
        figures = {f"{name} {stat} ({unit})": [fn(res["times"][name]) for res in results["nu"]]
                   for name in REQUESTS
                   for stat, unit, fn in (("median", "ms", statistics.median), ("p95", "ms", lambda x: percentile(x, 0.95)))}
        figures["first queue page, loads the candidates (ms)"] = [res["first"] for res in results["nu"]]
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
