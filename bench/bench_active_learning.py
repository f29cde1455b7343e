"""Simulated screening on the labelled development set: recall against the share of candidates
screened, for active learning, the static built-in ranking, a keyword count and random order.

For every crucial measure with at least two positives in the set, a simulated reviewer works
through all 257 passages in the order each strategy proposes, deciding with the set's labels.
Active learning re-ranks after every decision (``weerbaar.review.active``). Random order is the
mean of 50 shuffles. Reported: recall after screening 10, 25 and 50 % of the candidates, and
work saved over sampling at 95 % recall (WSS@95), pooled over the measures.

    .venv/bin/python bench/bench_active_learning.py              all 257 passages
    .venv/bin/python bench/bench_active_learning.py --deel test  the held-out part only (the
        built-in model was fitted on the tune part, which flatters its static ranking on "all")
    (needs ../shared or WEERBAAR_SHARED)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from weerbaar.classify.analyser import Analyser
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import FEATURES, RelevanceModel
from weerbaar.codebook import load_codebook
from weerbaar.embeddings import Embedder
from weerbaar.evaluation import _labels, attach_texts, load_devset, shared_folder
from weerbaar.review.active import rerank
from weerbaar.workspace import Workspace

SHARES = (0.10, 0.25, 0.50)
DEVSET = Path(__file__).resolve().parent.parent / "eval" / "devset.jsonl"


def recall_curve(order: list[int], y: np.ndarray) -> np.ndarray:
    """Recall after each screened candidate."""
    return np.cumsum(y[order]) / y.sum()


def wss(curve: np.ndarray, level: float = 0.95) -> float:
    needed = int(np.argmax(curve >= level)) + 1
    return level - needed / len(curve)


def simulate_active(features: np.ndarray, y: np.ndarray, prior: np.ndarray) -> list[int]:
    """The screening order when the queue re-ranks after every decision, starting from ``prior`` scores."""
    decided: dict[int, bool] = {}
    order = []
    while len(order) < len(y):
        state = rerank(features, prior, decided)
        nxt = state.order[0]
        order.append(nxt)
        decided[nxt] = bool(y[nxt])
    return order


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deel", choices=["alles", "test"], default="alles")
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    args = parser.parse_args()
    part = args.deel
    book = load_codebook()
    crucial = [m.id for m in book.measures if m.crucial]
    items = load_devset(DEVSET)
    if part == "test":
        items = [i for i in items if i.split == "test"]
    prior = RelevanceModel.builtin()
    with Embedder() as embedder, tempfile.TemporaryDirectory() as tmp, Workspace.open(Path(tmp) / "ws", create=True) as ws:
        items = attach_texts(items, ws, shared_folder())
        analyser = Analyser(book, prior, embedder)
        results = analyser.analyse([i.text for i in items], CorpusStats.reference(), contexts=[i.context for i in items])
    labels = _labels(items, analyser.measure_ids)
    rows = {name: [] for name in ("actief leren", "ingebouwde rangorde", "trefwoordscan", "willekeurig")}
    measures_used = []
    rng = np.random.default_rng(0)
    for m in crucial:
        j = analyser.measure_ids.index(m)
        y = labels[:, j]
        if y.sum() < 2:
            continue
        measures_used.append((m, int(y.sum())))
        feats = np.stack([r.features[j] for r in results])
        builtin = np.array([r.scores[j] for r in results])
        rows["actief leren"].append(recall_curve(simulate_active(feats, y, builtin), y))
        rows["ingebouwde rangorde"].append(recall_curve(list(np.argsort(-builtin, kind="stable")), y))
        rows["trefwoordscan"].append(recall_curve(list(np.argsort(-feats[:, FEATURES.index("terms")], kind="stable")), y))
        rows["willekeurig"].append(np.mean([recall_curve(list(rng.permutation(len(y))), y) for _ in range(50)], axis=0))
    n = len(items)
    print(f"{n} passages; measures: " + ", ".join(f"{m} ({k} positive)" for m, k in measures_used))
    print("\n| strategy | recall @10% screened | @25% | @50% | WSS@95 |")
    print("|---|---:|---:|---:|---:|")
    summary = {}
    for name, curves in rows.items():
        mean = np.mean(curves, axis=0)
        at = [float(mean[int(share * n) - 1]) for share in SHARES]
        w = float(np.mean([wss(c) for c in curves]))
        summary[name] = {"recall_at": dict(zip(map(str, SHARES), at)), "wss95": w}
        print(f"| {name} | {at[0]:.2f} | {at[1]:.2f} | {at[2]:.2f} | {w:.2f} |")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"active_learning_{part}.json").write_text(json.dumps({"measures": measures_used, **summary}, indent=2))
    if args.json:
        figures: dict[str, float] = {}
        for name, strategy in summary.items():
            figures |= {f"{name}: recall at {share:.0%} screened (share)": strategy["recall_at"][str(share)]
                        for share in SHARES}
            figures[f"{name}: WSS@95 (share)"] = strategy["wss95"]
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
