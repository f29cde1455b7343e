"""Measuring quality on the labelled development set (eval/devset.jsonl), against a keyword scan.

The set stores locators, not text: each passage is read again from its source (../shared or the
demo corpus) and checked against its hash, so the figures always come from the real text.
The model is fitted on the ``tune`` part only; every figure reported is on the ``test`` part.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from weerbaar.classify.analyser import Analyser
from weerbaar.classify.embeddings import Embedder
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import FEATURES, RelevanceModel, fit
from weerbaar.demo import demo_documents
from weerbaar.errors import WeerbaarError
from weerbaar.index.analysis import stems
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace

K_VALUES = (5, 10)


@dataclass
class DevItem:
    id: str
    split: str
    source: str
    page: int
    start: int
    end: int
    sha1: str
    measures: list[str]
    stage: int | None
    drawn: str
    text: str = ""

    @property
    def is_demo(self) -> bool:
        return self.source.startswith("demo/")


@dataclass
class Scores:
    """Per-measure counts and the derived precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    data: str
    n_items: int
    n_positive_pairs: int
    per_measure: dict[str, Scores]
    macro_f1: float
    micro_f1: float
    recall_at: dict[int, float]
    stage_exact: float | None
    stage_within_one: float | None
    n_stage: int
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "data": self.data, "passages": self.n_items, "positive_pairs": self.n_positive_pairs,
            "per_measure": {m: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision, "recall": s.recall,
                                "f1": s.f1} for m, s in self.per_measure.items()},
            "macro_f1": self.macro_f1, "micro_f1": self.micro_f1, "recall_at_k": self.recall_at,
            "stage_exact": self.stage_exact, "stage_within_one": self.stage_within_one, "stage_n": self.n_stage,
            **self.extra,
        }


def default_devset() -> Path:
    return Path(__file__).resolve().parents[3] / "eval" / "devset.jsonl"


def shared_folder() -> Path:
    return Path(os.environ.get("WEERBAAR_SHARED") or Path(__file__).resolve().parents[4] / "shared")


def load_devset(path: Path) -> list[DevItem]:
    if not path.is_file():
        raise WeerbaarError(f"Ontwikkelset '{path}' niet gevonden.", hint="Geef het pad met --set.")
    return [DevItem(**json.loads(line)) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _source_path(item: DevItem, shared: Path) -> Path:
    if item.is_demo:
        return demo_documents() / item.source.split("/", 1)[1]
    return shared / item.source


def attach_texts(items: list[DevItem], ws: Workspace, shared: Path) -> list[DevItem]:
    """Ingest the sources, read each passage from its page and check its hash; drop what is missing."""
    paths = sorted({_source_path(i, shared) for i in items})
    missing = [p for p in paths if not p.exists()]
    ingest_paths(ws, [p for p in paths if p.exists()])
    pages: dict[tuple[str, int], str] = {}
    for row in ws.conn.execute("SELECT d.path, g.page_no, g.text FROM pages g JOIN documents d ON d.id = g.document_id"):
        pages[(str(Path(row[0]).resolve()), row[1])] = row[2]
    kept = []
    for item in items:
        page = pages.get((str(_source_path(item, shared).resolve()), item.page))
        if page is None:
            continue
        text = page[item.start : item.end]
        if hashlib.sha1(text.encode()).hexdigest()[:12] != item.sha1:
            raise WeerbaarError(f"{item.id}: de tekst op {item.source} p. {item.page} wijkt af van de set "
                                "(is de extractie veranderd?).")
        item.text = text
        kept.append(item)
    if missing and not kept:
        raise WeerbaarError(f"De bronnen van de ontwikkelset ontbreken (bijv. {missing[0]}).",
                            hint="Zet WEERBAAR_SHARED op de map met seeds/ en corpus/.")
    return kept


def _labels(items: list[DevItem], measure_ids: list[str]) -> np.ndarray:
    index = {m: j for j, m in enumerate(measure_ids)}
    y = np.zeros((len(items), len(measure_ids)), dtype=bool)
    for i, item in enumerate(items):
        for m in item.measures:
            if m in index:
                y[i, index[m]] = True
    return y


def calibration(probabilities: np.ndarray, labels: np.ndarray, bins: int = 5) -> dict:
    """Brier score and expected calibration error of probabilities against 0/1 labels."""
    p, y = probabilities.ravel(), labels.ravel().astype(float)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p >= lo) & ((p < hi) | (hi == 1))
        if inside.any():
            ece += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return {"brier": float(np.mean((p - y) ** 2)), "ece": float(ece)}


def report(name: str, items: list[DevItem], predicted: np.ndarray, ranking: np.ndarray, stages: list[int],
           measure_ids: list[str], crucial: list[str]) -> Report:
    """predicted: (items, measures) bool; ranking: (items, measures) scores used to rank for recall@k."""
    y = _labels(items, measure_ids)
    per, f1s = {}, []
    for m in crucial:
        j = measure_ids.index(m)
        s = Scores(tp=int((predicted[:, j] & y[:, j]).sum()), fp=int((predicted[:, j] & ~y[:, j]).sum()),
                   fn=int((~predicted[:, j] & y[:, j]).sum()))
        per[m] = s
        if s.f1 is not None:
            f1s.append(s.f1)
    recall_at = {}
    for k in K_VALUES:
        hits = total = 0
        for m in crucial:
            j = measure_ids.index(m)
            positives = int(y[:, j].sum())
            if not positives:
                continue
            top = np.argsort(-ranking[:, j], kind="stable")[:k]
            hits += int(y[top, j].sum())
            total += min(positives, k)
        recall_at[k] = hits / total if total else float("nan")
    staged = [(item.stage, s) for item, s in zip(items, stages) if item.measures and item.stage is not None]
    exact = sum(a == b for a, b in staged) / len(staged) if staged else None
    near = sum(abs(a - b) <= 1 for a, b in staged) / len(staged) if staged else None
    pooled = Scores(sum(s.tp for s in per.values()), sum(s.fp for s in per.values()), sum(s.fn for s in per.values()))
    return Report(name, len(items), int(y[:, [measure_ids.index(m) for m in crucial]].sum()), per,
                  float(np.mean(f1s)) if f1s else float("nan"), pooled.f1 or 0.0, recall_at, exact, near, len(staged))


class KeywordBaseline:
    """A plain keyword scan: a passage is evidence for a measure when any of its terms occurs."""

    def __init__(self, analyser: Analyser, majority_stage: int):
        self.vocabulary = analyser.vocabulary
        self.majority_stage = majority_stage

    def run(self, items: list[DevItem]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        counts = np.array([self.vocabulary.score(stems(i.text), CorpusStats.uniform())[1] for i in items], dtype=float)
        return counts > 0, counts, [self.majority_stage] * len(items)


@dataclass
class Evaluation:
    model: RelevanceModel
    reports: list[Report]


def evaluate(codebook, devset: Path | None = None, *, embedder: Embedder | None = None,
             model: RelevanceModel | None = None, refit: bool = True) -> Evaluation:
    """Fit on tune (unless ``refit`` is False and a model is given), report on test: model and baseline."""
    items = load_devset(devset or default_devset())
    crucial = [m.id for m in codebook.measures if m.crucial]
    embedder = embedder or Embedder()
    with tempfile.TemporaryDirectory() as tmp, Workspace.open(Path(tmp) / "ws", create=True) as ws:
        items = attach_texts(items, ws, shared_folder())
        # Features do not depend on the model; when refitting, any starting model will do.
        start_model = model or (_neutral_model() if refit else RelevanceModel.builtin())
        analyser = Analyser(codebook, start_model, embedder)
        stats = CorpusStats.from_workspace(ws.conn, analyser.vocabulary.all_stems())
        results = analyser.analyse([i.text for i in items], stats)
    tune = [k for k, i in enumerate(items) if i.split == "tune"]
    test = [k for k, i in enumerate(items) if i.split == "test"]
    majority = Counter(items[k].stage for k in tune if items[k].measures).most_common(1)[0][0]
    if refit:
        y = _labels(items, analyser.measure_ids)
        cols = [analyser.measure_ids.index(m) for m in crucial]
        feats = np.stack([results[k].features[cols] for k in tune]).reshape(-1, results[0].features.shape[-1])
        model = fit(feats, y[np.ix_(tune, cols)].reshape(-1), name="ingebouwd",
                    trained_on=f"eval/devset.jsonl, tune-deel ({len(tune)} passages × {len(crucial)} cruciale maatregelen)",
                    default_stage=start_model.default_stage)
        model.default_stage = _best_default_stage(items, tune, analyser)
    else:
        model = start_model
    scores = np.stack([model.probability(r.features) for r in results])
    stage_detector = type(analyser.stage)(codebook, default_stage=model.default_stage)
    stages = [stage_detector.detect(i.text).stage for i in items]
    baseline = KeywordBaseline(analyser, majority)
    base_pred, base_rank, base_stage = baseline.run(items)
    reports = []
    subsets = [("test, alle bronnen", test), ("test, alleen echte documenten", [k for k in test if not items[k].is_demo])]
    for label, idx in subsets:
        if not idx:  # e.g. a set of demo passages only has no real-document part
            continue
        sub = [items[k] for k in idx]
        reports.append(report(f"weerbaar — {label}", sub, scores[idx] >= model.threshold, scores[idx],
                              [stages[k] for k in idx], analyser.measure_ids, crucial))
        cols = [analyser.measure_ids.index(m) for m in crucial]
        reports[-1].extra["calibration"] = calibration(scores[np.ix_(idx, cols)],
                                                       _labels(sub, analyser.measure_ids)[:, cols])
        reports.append(report(f"trefwoordscan — {label}", sub, base_pred[idx], base_rank[idx],
                              [base_stage[k] for k in idx], analyser.measure_ids, crucial))
    return Evaluation(model, reports)


def _neutral_model() -> RelevanceModel:
    return RelevanceModel(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5, name="neutraal (alleen om te fitten)")


def _best_default_stage(items: list[DevItem], tune: list[int], analyser: Analyser) -> int:
    """The stage to give a relevant passage without any cue: the commonest such stage in tune."""
    uncued = Counter(items[k].stage for k in tune if items[k].measures and analyser.stage.detect(items[k].text).cue is None)
    return uncued.most_common(1)[0][0] if uncued else 0
