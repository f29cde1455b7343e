"""Draw candidate passages from the real documents in ../shared for hand labelling.

How the development set was made (see eval/README.md): the seeds and corpus documents are
ingested into a temporary workspace; for every crucial measure, candidates are the top passages
by BM25 on the measure's vocabulary and by search on a few words of its definition; hard
negatives are passages that mention resilience, crisis or the safety region in general. Each
candidate is printed with a locator (file, page, offsets) for labelling; its text is never
written into this repository.

    .venv/bin/python eval/candidates.py > /tmp/candidates.txt
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from weerbaar.codebook import load_codebook
from weerbaar.index.search import search
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace

SHARED = Path(os.environ.get("WEERBAAR_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SOURCES = ["seeds", "corpus/gemeente-wassenaar", "corpus/gemeente-helmond-raad-2021-2022",
           "corpus/gemeente-den-haag-2025"]
GENERAL = ["weerbaarheid", "crisisbeheersing", "veiligheidsregio", "weerbare samenleving", "crisis"]
# Second round, for crucial measures with few positives after the first: targeted searches.
TARGETED = {
    "1.1": ["bedrijfscontinuïteit", '"kritieke processen"', '"vitale processen"', "continuïteitsplan OF BCM"],
    "1.2": ["prioritering continuïteit", "hersteltijd OF uitvaltijd"],
    "2.1": ["crisiscommunicatie", '"risicocommunicatie"', "communicatieplan crisis"],
    "3.1": ["noodstroom OF aggregaat OF aggregaten", "stroomuitval OF stroomstoring"],
    "3.2": ["drinkwater OF nooddrinkwater OF noodwater", "drinkwatervoorziening"],
    "5.2": ["noodsteunpunt informeren", "steunpunt wijk"],
    "6.1": ["verkiezingen crisis", '"democratische processen" OF desinformatie OF inmenging'],
    "6.2": ["GGD crisis OF rampen", "pandemie OF infectieziekte", "GHOR"],
}


def locator(row) -> dict:
    source = Path(row["path"]).resolve().relative_to(SHARED.resolve()).as_posix()
    return {"source": source, "page": row["page_no"], "start": row["start"], "end": row["end"],
            "sha1": hashlib.sha1(row["text"].encode()).hexdigest()[:12]}


def main() -> None:
    book = load_codebook()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws", create=True)
        ingest_paths(ws, [SHARED / s for s in SOURCES])
        picked: dict[int, str] = {}
        for m in (m for m in book.measures if m.crucial):
            queries = [" OF ".join(f"\"{t}\"" for t in m.terms[:8]), m.label, " OF ".join(f"\"{t}\"" for t in m.terms[8:16])]
            for q in queries:
                if not q.strip():
                    continue
                for hit in search(ws, q, limit=9):
                    picked.setdefault(hit.passage_id, f"measure {m.id}")
        for q in GENERAL:
            hits = search(ws, q, limit=60)
            for hit in rng.sample(hits, min(10, len(hits))):
                picked.setdefault(hit.passage_id, "general")
        if os.environ.get("ROUND") == "2":
            first = dict(picked)
            picked = {}
            for measure, queries in TARGETED.items():
                for q in queries:
                    for hit in search(ws, q, limit=8):
                        if hit.passage_id not in first:
                            picked.setdefault(hit.passage_id, f"targeted {measure}")
        rows = ws.conn.execute(
            f"SELECT p.id, p.page_no, p.start, p.end, p.text, d.path FROM passages p JOIN documents d "
            f"ON d.id = p.document_id WHERE p.id IN ({','.join(map(str, picked))}) ORDER BY p.id").fetchall()
        for row in rows:
            print(json.dumps({"cand": row["id"], "why": picked[row["id"]], **locator(row)}, ensure_ascii=False))
            print(" ".join(row["text"].split()))
            print()
        ws.close()


if __name__ == "__main__":
    sys.exit(main())
