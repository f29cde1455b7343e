"""Quality on labelled real passages, by held-out group, beside a keyword scan.

The labelled sets (``eval/generalisation.jsonl``, ``eval/devset.jsonl``) store locators, not text:
each passage is read again from its source (``../shared`` or the demo corpus) and checked
against its hash, so figures always come from the real text.

The question that matters is how the tool does on organisations and document types it has never
seen. So every figure is out-of-group: for each organisation (and, separately, each document
type) the models are fitted on the other groups only, and measured on the group left out —
relevance, thresholds, the stage model and the subject model alike. The keyword scan (a passage
is evidence for a measure when any of its terms occurs as written) is measured on the same
passages.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from weerbaar.classify.analyser import Analyser
from weerbaar.classify.model import FEATURES, RelevanceModel, fit
from weerbaar.classify.stage import StageDetector, TextContext, fit_stage_model
from weerbaar.classify.subject import KINDS, SubjectDetector
from weerbaar.demo import demo_documents
from weerbaar.embeddings import Embedder
from weerbaar.errors import WeerbaarError
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable

    from weerbaar.codebook.model import Codebook

RECALL_K = 20
BEFORE_CHARS = 400  # text before a passage that counts as its context (heading, previous paragraph)
GROUPINGS = {"organisatie": "organisation_group", "documenttype": "doc_group"}


@dataclass
class LabelledItem:
    id: str
    source: str
    page: int
    start: int
    end: int
    sha1: str
    measures: list[str]
    stage: int | None
    drawn: str | list[str] = ""
    split: str | None = None
    subject: str | None = None
    doc_start: int | None = None
    organisation_group: str | None = None
    doc_group: str | None = None
    readings: list[dict] = field(default_factory=list)
    text: str = ""
    context: TextContext = field(default_factory=TextContext)

    @property
    def is_demo(self) -> bool:
        return self.source.startswith("demo/")


@dataclass
class Scores:
    """Counts and the derived precision, recall and F1."""

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
    precision: float | None
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
            "macro_f1": self.macro_f1, "micro_f1": self.micro_f1, "precision": self.precision,
            "recall_at_k": self.recall_at, "stage_exact": self.stage_exact,
            "stage_within_one": self.stage_within_one, "stage_n": self.n_stage, **self.extra,
        }


#: Where the labelled sets and their documents are by default: relative to the current folder, as
#: in a source checkout (``eval/`` beside ``src/``, the documents in ``../shared``). Nothing here is
#: found relative to the installed package, so an installed ``weerbaar evalueer`` reads exactly the
#: paths it is given.
DEFAULT_SET = Path("eval") / "generalisation.jsonl"
DEFAULT_SHARED = Path("..") / "shared"


def default_set() -> Path:
    return DEFAULT_SET


def shared_folder() -> Path:
    """The folder with the labelled passages' documents: ``WEERBAAR_SHARED``, else ``../shared``."""
    return Path(os.environ.get("WEERBAAR_SHARED") or DEFAULT_SHARED)


def load_set(path: Path) -> list[LabelledItem]:
    if not path.is_file():
        raise WeerbaarError(
            f"Gelabelde set '{path}' niet gevonden (gezocht vanuit {Path.cwd()}).",
            hint="Geef het pad met --labels, of start in de map waarin eval/generalisation.jsonl staat "
                 "(de broncode van weerbaar).")
    items = []
    for line in path.read_text("utf-8").split("\n"):
        if line.strip():
            data = json.loads(line)
            data["id"] = str(data.get("id", data.get("cand")))
            data.pop("cand", None)
            items.append(LabelledItem(**data))
    return items


load_devset = load_set


def _source_path(item: LabelledItem, shared: Path) -> Path:
    if item.is_demo:
        return demo_documents() / item.source.split("/", 1)[1]
    return shared / item.source


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _locate(item: LabelledItem, pages: list[tuple[int, str]],
            whole: Callable[[], tuple[str, list[tuple[int, int]]]] | None = None) -> tuple[int, int, str] | None:
    """(page, start, text) of the item in a document's pages, or None.

    The page and offsets first; then the offset into the whole document (``doc_start``), searched a
    little around, so a passage survives a change in how unpaginated text is split into pages.
    ``whole``: gives the document's :func:`_joined` pages, when the caller locates many items in one
    document and keeps them (joined only when an item is not found at its page).
    """
    for page_no, text in pages:
        if page_no == item.page and _digest(text[item.start : item.end]) == item.sha1:
            return page_no, item.start, text[item.start : item.end]
    if item.doc_start is None:
        return None
    joined, bounds = whole() if whole else _joined(pages)
    length = item.end - item.start
    for delta in sorted(range(-300, 301), key=abs):
        a = item.doc_start + delta
        if 0 <= a and a + length <= len(joined) and _digest(joined[a : a + length]) == item.sha1:
            base, page_no = max((b for b in bounds if b[0] <= a), key=lambda b: b[0])
            return page_no, a - base, joined[a : a + length]
    return None


def _joined(pages: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """A document's pages as one text, with (offset, page) where each page begins."""
    bounds, position = [], 0
    for page_no, text in pages:
        bounds.append((position, page_no))
        position += len(text)
    return "".join(text for _, text in pages), bounds


def attach_texts(items: list[LabelledItem], ws: Workspace, shared: Path) -> list[LabelledItem]:
    """Ingest the sources, read each passage and the text before it, check its hash; drop what is missing."""
    if not shared.is_dir() and any(not i.is_demo for i in items):
        raise WeerbaarError(f"De map met de documenten van de gelabelde set, '{shared}', bestaat niet.",
                            hint="Geef de map met --bronnen, of zet WEERBAAR_SHARED op de map met seeds/ en corpus/.")
    paths = sorted({_source_path(i, shared) for i in items})
    missing = [p for p in paths if not p.exists()]
    ingest_paths(ws, [p for p in paths if p.exists()])
    documents = {str(Path(d["path"]).resolve()): d for d in ws.documents.overview()}
    pages_of: dict[int, list[tuple[int, str]]] = {}
    for document_id, page_no, text in ws.passages.pages():
        pages_of.setdefault(document_id, []).append((page_no, text))
    kept = []
    whole_of = functools.cache(lambda document_id: _joined(pages_of.get(document_id, [])))
    for item in items:
        doc = documents.get(str(_source_path(item, shared).resolve()))
        if doc is None:
            continue
        pages = pages_of.get(doc["id"], [])
        found = _locate(item, pages, functools.partial(whole_of, doc["id"]))
        if found is None:
            raise WeerbaarError(f"{item.id}: de tekst op {item.source} p. {item.page} wijkt af van de set "
                                "(is de extractie veranderd?).")
        page_no, start, text = found
        page_text = dict(pages)[page_no]
        before = page_text[max(0, start - BEFORE_CHARS) : start]
        item.text = text
        item.context = TextContext(doc_type=doc["doc_type"], year=doc["year"], organisation=doc["organisation"],
                                   organisation_type=doc["organisation_type"], before=before, known=True)
        kept.append(item)
    if missing and not kept:
        raise WeerbaarError(f"De bronnen van de gelabelde set ontbreken (bijv. {missing[0]}).",
                            hint="Geef de map met --bronnen, of zet WEERBAAR_SHARED op de map met seeds/ en corpus/.")
    return kept


def _labels(items: list[LabelledItem], measure_ids: list[str]) -> np.ndarray:
    index = {m: j for j, m in enumerate(measure_ids)}
    y = np.zeros((len(items), len(measure_ids)), dtype=bool)
    for i, item in enumerate(items):
        for m in item.measures:
            if m in index:
                y[i, index[m]] = True
    return y


def report(name: str, items: list[LabelledItem], predicted: np.ndarray, ranking: np.ndarray, stages: list[int],
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
    hits = total = 0
    for m in crucial:
        j = measure_ids.index(m)
        positives = int(y[:, j].sum())
        if positives:
            top = np.argsort(-ranking[:, j], kind="stable")[:RECALL_K]
            hits += int(y[top, j].sum())
            total += min(positives, RECALL_K)
    staged = [(item.stage, s) for item, s in zip(items, stages) if item.measures and item.stage is not None]
    exact = sum(a == b for a, b in staged) / len(staged) if staged else None
    near = sum(abs(a - b) <= 1 for a, b in staged) / len(staged) if staged else None
    pooled = Scores(sum(s.tp for s in per.values()), sum(s.fp for s in per.values()), sum(s.fn for s in per.values()))
    return Report(name, len(items), int(y[:, [measure_ids.index(m) for m in crucial]].sum()), per,
                  float(np.mean(f1s)) if f1s else float("nan"), pooled.f1 or 0.0, pooled.precision,
                  {RECALL_K: hits / total if total else float("nan")}, exact, near, len(staged))


class KeywordScan:
    """The baseline: evidence for a measure when any of its terms occurs as written (a substring).

    It ranks by the number of different terms found, then by how often they occur, and gives every
    passage the stage most common among relevant passages of the training part.
    """

    def __init__(self, codebook: Codebook):
        self.terms = [[t.lower() for t in m.terms if t.strip()] for m in codebook.measures]

    def run(self, items: list[LabelledItem]) -> tuple[np.ndarray, np.ndarray]:
        distinct = np.zeros((len(items), len(self.terms)))
        occurrences = np.zeros_like(distinct)
        for i, item in enumerate(items):
            low = item.text.lower()
            for j, terms in enumerate(self.terms):
                counts = [low.count(t) for t in terms]
                distinct[i, j] = sum(c > 0 for c in counts)
                occurrences[i, j] = sum(counts)
        return distinct > 0, distinct + occurrences / (1 + occurrences.max(initial=0))


@dataclass
class GroupResult:
    grouping: str  # organisatie | documenttype
    group: str
    model: Report
    keyword: Report
    subject_accuracy: float | None = None
    subject_baseline: float | None = None

    def as_dict(self) -> dict:
        return {"grouping": self.grouping, "group": self.group, "model": self.model.as_dict(),
                "keyword_scan": self.keyword.as_dict(), "subject_accuracy": self.subject_accuracy,
                "subject_baseline_eigen": self.subject_baseline}


@dataclass
class Prepared:
    """Labelled items with their text, context, embedding and features: computed once per evaluation."""

    items: list[LabelledItem]
    analyser: Analyser
    vectors: np.ndarray
    features: np.ndarray  # (items, measures, FEATURES)
    labels: np.ndarray  # (items, measures)


def prepare(codebook: Codebook, items: list[LabelledItem], embedder: Embedder, shared: Path | None = None) -> Prepared:
    with tempfile.TemporaryDirectory() as tmp, Workspace.open(Path(tmp) / "ws", create=True) as ws:
        items = attach_texts(items, ws, shared or shared_folder())
    analyser = Analyser(codebook, _neutral_model(), embedder)
    texts = [i.text for i in items]
    vectors = embedder.encode(texts)
    features = analyser.features_of(texts, vectors)
    return Prepared(items, analyser, vectors, features, _labels(items, analyser.measure_ids))


@dataclass
class FittedModels:
    relevance: RelevanceModel
    stage: StageDetector
    subject: SubjectDetector


def fit_models(prep: Prepared, idx: np.ndarray, crucial: list[str], trained_on: str) -> FittedModels:
    """Relevance and stage models fitted on the items ``idx`` only (the subject rules need no fitting)."""
    items = [prep.items[k] for k in idx]
    groups = np.array([i.organisation_group or i.source.split("/")[1] for i in items])
    relevance = fit(prep.features[idx], prep.labels[idx], measure_ids=prep.analyser.measure_ids,
                    vectors=prep.vectors[idx], groups=groups, threshold_measures=crucial, name="ingebouwd",
                    trained_on=trained_on)
    subject = SubjectDetector()  # rules, nothing to fit (see weerbaar.classify.subject)
    codebook = prep.analyser.codebook
    staged = [i for i in items if i.measures and i.stage is not None]
    detector = StageDetector(codebook, model=False)
    if len({i.stage for i in staged}) >= 2:
        kinds = [subject.detect(i.text, i.context).kind for i in staged]
        detector = StageDetector(codebook, model=fit_stage_model(
            detector, [i.text for i in staged], [i.context for i in staged], kinds, [i.stage for i in staged],
            trained_on, groups=[i.organisation_group or i.source.split("/")[1] for i in staged]))
    return FittedModels(relevance, detector, subject)


def predict(prep: Prepared, models: FittedModels, idx: np.ndarray) -> tuple[np.ndarray, list[int], list[str]]:
    scores = models.relevance.scores(prep.features[idx], prep.vectors[idx], prep.analyser.measure_ids)
    subjects, stages = [], []
    for k in idx:
        item = prep.items[k]
        subject = models.subject.detect(item.text, item.context)
        subjects.append(subject.kind)
        stages.append(models.stage.detect(item.text, item.context, subject.kind).stage)
    return scores, stages, subjects


def prepared(codebook: Codebook, items: list[LabelledItem], embedder: Embedder | None = None,
             shared: Path | None = None) -> Prepared:
    """:func:`prepare` with its own embedder when none is given; ``shared``: the documents' folder
    (default :func:`shared_folder`)."""
    own = embedder is None
    embedder = embedder or Embedder()
    try:
        return prepare(codebook, items, embedder, shared)
    finally:
        if own:
            embedder.close()


def evaluate_by_group(codebook: Codebook, prep: Prepared, groupings: tuple[str, ...] = tuple(GROUPINGS)) -> list[GroupResult]:
    """Leave one group out at a time: fit on the rest, measure model and keyword scan on the group.

    Per grouping, the groups come worst macro-F1 first (see :func:`worst_first`), then all pooled."""
    crucial = [m.id for m in codebook.measures if m.crucial]
    ids = prep.analyser.measure_ids
    scan_pred, scan_rank = KeywordScan(codebook).run(prep.items)
    results = []
    for grouping in groupings:
        attribute = GROUPINGS[grouping]
        names = np.array([getattr(i, attribute) or "?" for i in prep.items])
        pooled_scores = np.zeros(prep.labels.shape, dtype=np.float32)
        pooled_stage = [0] * len(prep.items)
        pooled_subject = [""] * len(prep.items)
        pooled_threshold = np.zeros(len(prep.items), dtype=np.float32)
        pooled_scan_stage: list[int | None] = [0] * len(prep.items)
        per_group = []
        for group in sorted(set(names)):
            held = np.flatnonzero(names == group)
            train = np.flatnonzero(names != group)
            models = fit_models(prep, train, crucial, f"alle groepen behalve {group}")
            scores, stages, subjects = predict(prep, models, held)
            majority = Counter(prep.items[k].stage for k in train if prep.items[k].measures
                               and prep.items[k].stage is not None).most_common(1)[0][0]
            for n, k in enumerate(held):
                pooled_scores[k], pooled_stage[k], pooled_subject[k] = scores[n], stages[n], subjects[n]
                pooled_threshold[k] = models.relevance.threshold
                pooled_scan_stage[k] = majority
            per_group.append(_group_result(grouping, group, prep, held, scores, models.relevance.threshold, stages,
                                           subjects, scan_pred, scan_rank, [majority] * len(held), ids, crucial))
        results.extend(worst_first(per_group))
        everything = np.arange(len(prep.items))
        results.append(_group_result(grouping, "alle (buiten de eigen groep gemeten)", prep, everything, pooled_scores,
                                     pooled_threshold[:, None], pooled_stage, pooled_subject, scan_pred, scan_rank,
                                     pooled_scan_stage, ids, crucial))
    return results


def worst_first(results: list[GroupResult]) -> list[GroupResult]:
    """Groups by macro-F1, lowest first, so the worst held-out group is read first; groups without a
    positive to measure it on come after them, in their own order."""
    measured = [r for r in results if r.model.macro_f1 is not None]
    return sorted(measured, key=lambda r: r.model.macro_f1) + [r for r in results if r.model.macro_f1 is None]


def _group_result(grouping, group, prep, idx, scores, threshold, stages, subjects, scan_pred, scan_rank, scan_stages,
                  ids, crucial) -> GroupResult:
    items = [prep.items[k] for k in idx]
    model = report(f"weerbaar — {grouping}: {group}", items, scores >= threshold, scores, stages, ids, crucial)
    keyword = report(f"trefwoordscan — {grouping}: {group}", items, scan_pred[idx], scan_rank[idx], scan_stages,
                     ids, crucial)
    labelled = [(i.subject, s) for i, s in zip(items, subjects) if i.measures and i.subject in KINDS]
    accuracy = sum(a == b for a, b in labelled) / len(labelled) if labelled else None
    baseline = sum(a == "eigen" for a, _ in labelled) / len(labelled) if labelled else None
    return GroupResult(grouping, group, model, keyword, accuracy, baseline)


def fit_builtin(codebook: Codebook, prep: Prepared) -> FittedModels:
    """The shipped models: fitted on every labelled item."""
    crucial = [m.id for m in codebook.measures if m.crucial]
    return fit_models(prep, np.arange(len(prep.items)), crucial,
                      f"eval/generalisation.jsonl ({len(prep.items)} gelabelde echte passages)")


def _neutral_model() -> RelevanceModel:
    return RelevanceModel(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5, name="neutraal (alleen om te fitten)")
