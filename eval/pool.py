"""Draw the generalisation set by pooling, so that no single method decides what gets labelled.

Every document in ../shared/seeds and ../shared/corpus is ingested and analysed into a workspace
(``WORKSPACE``, built with the ordinary commands). For every measure, four different rankers each
contribute their top passages — a keyword scan (any codebook term as a substring), BM25 on the
measure's vocabulary (the search index), embedding similarity to the measure's definition, and
the relevance model of the time (the stored suggestions) — and a seeded random sample of all
passages is added, plus one random passage of every document that no ranker drew from, so every
document is represented. Deeper pools for the 12 crucial measures.

    python eval/pool.py pool WORKSPACE > eval/generalisation-pool.jsonl   # locators, no text
    python eval/pool.py sheet > /tmp/measures.md                            # the readers' sheet
    python eval/pool.py batches WORKSPACE eval/generalisation-pool.jsonl OUTDIR 2

``batches`` writes the passages with their text for the readers into OUTDIR (outside the
repository: the text of the real documents is never committed).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from weerbaar.codebook import load_codebook
from weerbaar.embeddings import Embedder, from_blobs
from weerbaar.errors import QueryError
from weerbaar.index.search import search
from weerbaar.workspace import Workspace

DEPTH_CRUCIAL = 45
DEPTH_OTHER = 15
RANDOM = 250
SEED = 2026


def _shared_relative(path: str) -> str:
    parts = Path(path).resolve().parts
    i = max(k for k, p in enumerate(parts) if p == "shared")
    return "/".join(parts[i + 1 :])


def _keyword_rank(texts: dict[int, str], terms: list[str], depth: int) -> list[int]:
    lowered = [t.lower() for t in terms]
    scored = []
    for pid, text in texts.items():
        low = text.lower()
        distinct = sum(1 for t in lowered if t in low)
        if distinct:
            scored.append((-distinct, -sum(low.count(t) for t in lowered), pid))
    return [pid for *_, pid in sorted(scored)[:depth]]


def _bm25_rank(ws: Workspace, terms: list[str], depth: int) -> list[int]:
    query = " OF ".join(f'"{t}"' for t in terms if t.strip() and '"' not in t)
    try:
        return [h.passage_id for h in search(ws, query, limit=depth)]
    except QueryError:
        return []


def pool(ws_path: Path) -> None:
    book = load_codebook()
    ws = Workspace.open(ws_path)
    texts = {r[0]: r[1] for r in ws.conn.execute("SELECT id, text FROM passages")}
    ids = sorted(texts)
    blobs = dict(ws.conn.execute("SELECT passage_id, vector FROM passage_embeddings"))
    have = [i for i in ids if i in blobs]
    vectors = from_blobs([blobs[i] for i in have])
    with Embedder(workers=1) as embedder:
        protos = embedder.encode([f"{m.label}. {m.text}" for m in book.measures])
    drawn: dict[int, set[str]] = defaultdict(set)
    for j, m in enumerate(book.measures):
        depth = DEPTH_CRUCIAL if m.crucial else DEPTH_OTHER
        for pid in _keyword_rank(texts, m.terms, depth):
            drawn[pid].add(f"keyword {m.id}")
        for pid in _bm25_rank(ws, m.terms, depth):
            drawn[pid].add(f"bm25 {m.id}")
        sims = vectors @ protos[j]
        for k in np.argsort(-sims)[:depth]:
            drawn[have[k]].add(f"embedding {m.id}")
        for (pid,) in ws.conn.execute(
                "SELECT passage_id FROM suggestions WHERE measure_id = ? ORDER BY score DESC, passage_id LIMIT ?",
                (m.id, depth)):
            drawn[pid].add(f"model {m.id}")
    rng = random.Random(SEED)
    for pid in rng.sample(ids, RANDOM):
        drawn[pid].add("random")
    by_document = defaultdict(list)
    for pid, doc in ws.conn.execute("SELECT id, document_id FROM passages ORDER BY id"):
        by_document[doc].append(pid)
    covered = {doc for doc, pids in by_document.items() if any(p in drawn for p in pids)}
    for doc in sorted(set(by_document) - covered):  # every document is represented at least once
        drawn[rng.choice(by_document[doc])].add("document")
    for pid in sorted(drawn):
        row = ws.conn.execute(
            """SELECT p.page_no, p.start, p.end, p.text, d.path, d.id AS doc,
                      (SELECT coalesce(sum(length(g.text)), 0) FROM pages g
                       WHERE g.document_id = d.id AND g.page_no < p.page_no) AS before
               FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ?""", (pid,)).fetchone()
        print(json.dumps({
            "cand": pid, "source": _shared_relative(row["path"]), "page": row["page_no"], "start": row["start"],
            "end": row["end"], "doc_start": row["before"] + row["start"],
            "sha1": hashlib.sha1(row["text"].encode()).hexdigest()[:12], "drawn": sorted(drawn[pid]),
        }, ensure_ascii=False))
    ws.close()


def sheet() -> None:
    book = load_codebook()
    print("# Maatregelen (★ = een van de 12 meest cruciale)\n")
    for p in book.pillars:
        print(f"## Pijler {p.id}: {p.name}\n")
        for m in p.measures:
            star = " ★" if m.crucial else ""
            print(f"- **{m.id}{star} {m.label}**: {' '.join(m.text.split())}")
            if m.crucial and m.elements:
                print(f"  Concrete elementen: {'; '.join(e.label for e in m.elements)}.")
        print()


def batches(ws_path: Path, pool_file: Path, out: Path, parts: int) -> None:
    ws = Workspace.open(ws_path)
    items = [json.loads(line) for line in pool_file.read_text("utf-8").splitlines() if line.strip()]
    rng = random.Random(SEED)
    rng.shuffle(items)  # readers must not see passages grouped by ranker or measure
    out.mkdir(parents=True, exist_ok=True)
    size = -(-len(items) // parts)
    for part in range(parts):
        chunk = items[part * size : (part + 1) * size]
        lines = []
        for item in chunk:
            row = ws.conn.execute(
                """SELECT p.text, p.seq, p.document_id, d.organisation, d.doc_type, d.year, d.paginated
                   FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ?""",
                (item["cand"],)).fetchone()
            before = ws.conn.execute(
                "SELECT text FROM passages WHERE document_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
                (row["document_id"], row["seq"])).fetchone()
            context = " ".join(before[0].split())[-250:] if before else ""
            page = f"p. {item['page']}" if row["paginated"] else "(geen paginanummers)"
            lines.append(f"### cand {item['cand']}\n"
                         f"document: {item['source']} — {row['organisation'] or '?'}, {row['doc_type']}, "
                         f"{row['year'] or '?'}, {page}\n"
                         f"ervoor: …{context}\n\n"
                         f"PASSAGE: {' '.join(row['text'].split())}\n")
        (out / f"part-{part + 1}.md").write_text("\n".join(lines), encoding="utf-8")
        print(f"{out / f'part-{part + 1}.md'}: {len(chunk)} passages")
    ws.close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "pool":
        pool(Path(args[0]))
    elif command == "sheet":
        sheet()
    elif command == "batches":
        batches(Path(args[0]), Path(args[1]), Path(args[2]), int(args[3]))
    else:
        sys.exit(f"unknown command {command}")
