"""The stage of a passage (0 context … 4 tested/embedded): from language, document type and date.

A small learned model (logistic regression, coefficients in ``classify/data/stage-model.json``)
reads signals a person reads too:

- the codebook's cue patterns per stage ("is aangewezen", "wordt opgesteld", "we willen"),
  a cue right after a negation ("nog geen budget") not counting;
- tense and aspect: a perfect or past passive ("zijn … aangewezen", "hebben … gerealiseerd") tells
  of realised work, a present passive ("wordt … uitgewerkt") or a future of plans;
- years in the passage against the document's own year: "in 2023 is … geoefend" in a 2024 annual
  report is past, "in 2026 stellen we … op" in a 2025 budget is ahead;
- the document type: budgets plan unless they report something realised; annual reports and
  evaluations report; research reports describe others (context);
- whom the passage speaks for (national policy and research findings are context);
- the text just before the passage: a heading such as "Wat hebben we bereikt?" or "Wat gaan we
  daarvoor doen?", and the tense of the previous paragraph.

The scale is ordered, so how the model decides is a design choice: multinomial or cumulative
(ordinal) logits, the most probable level or the median of the predicted distribution (a near miss
costs less than a far one), with or without the context signals. :func:`fit_stage_model` chooses
it by leaving each organisation of its training part out in turn (never on the text it is measured on).

The words that decided are returned as the cue, so a reviewer sees why. Without a model fitted
for the codebook's scale (an own codebook with other levels), or for a loose text without its
document, the highest matching cue decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from weerbaar.codebook.model import Codebook
from weerbaar.codebook.patterns import CuePattern

STAGE_MODEL = "stage-model.json"
_NEGATION = re.compile(r"\b(niet|geen|nog niet|nooit|zonder)\s+(\w+\s+){0,2}$", re.IGNORECASE)
_PARTICIPLE = (r"(?:ge\w{2,}(?:d|t|en)"
               r"|(?:aan|in|op|uit|vast|af|over|door|mee|om|toe|voor|be|ver|ont|her|er)\w*?(?:ge)?\w{2,}(?:d|t|en))")
_SIGNALS: dict[str, re.Pattern] = {
    "perfect_passive": re.compile(rf"\b(?:is|zijn|werd|werden)\b(?: [\w'’.-]+){{0,6}}? {_PARTICIPLE}\b", re.IGNORECASE),
    "perfect_active": re.compile(rf"\b(?:heeft|hebben|had|hadden)\b(?: [\w'’.-]+){{0,7}}? {_PARTICIPLE}\b",
                                 re.IGNORECASE),
    "present_passive": re.compile(rf"\b(?:wordt|worden)\b(?: [\w'’.-]+){{0,6}}? {_PARTICIPLE}\b", re.IGNORECASE),
    "future": re.compile(r"\b(?:zal|zullen|gaan|gaat|komende (?:jaren|periode|maanden|jaar)|in de toekomst"
                         r"|volgend jaar)\b",
                         re.IGNORECASE),
    "exercise": re.compile(r"\b(?:oefening\w*|geoefend|beoefend|getest|testen|evaluatie\w*|geëvalueerd|geevalueerd)\b",
                           re.IGNORECASE),
    "first_person": re.compile(r"\b(?:wij|we|ons|onze|het college)\b", re.IGNORECASE),
    "general_subject": re.compile(r"\b(?:gemeenten|veiligheidsregio's|organisaties|het kabinet|de overheid|het rijk)\b",
                                  re.IGNORECASE),
    "negation": re.compile(r"\b(?:nog geen|nog niet|ontbreekt|ontbreken|onvoldoende)\b", re.IGNORECASE),
}
_TENSES = ("perfect_passive", "perfect_active", "present_passive")
#: Signals read in the text just before a passage (its heading, the previous paragraph): the budget's
#: "Wat gaan we daarvoor doen?" announces plans, the annual account's "Wat hebben we bereikt?" results.
_CONTEXT_SIGNALS: dict[str, re.Pattern] = {
    "context_heading_plan": re.compile(r"\bwat (?:gaan|willen|zullen) we\b|\b(?:planning|plan van aanpak|"
                                       r"voornemens?|ambities?|doelstellingen)\s*$", re.IGNORECASE | re.MULTILINE),
    "context_heading_realised": re.compile(r"\bwat hebben we\b|\b(?:resultaten|behaalde resultaten|terugblik|"
                                           r"verantwoording|evaluatie)\s*$", re.IGNORECASE | re.MULTILINE),
    "context_realised": re.compile(rf"\b(?:is|zijn|werd|werden|heeft|hebben)\b(?: [\w'’.-]+){{0,6}}? {_PARTICIPLE}\b",
                                   re.IGNORECASE),
    "context_plan": re.compile(r"\b(?:zal|zullen|gaan|gaat|wordt|worden|willen)\b", re.IGNORECASE),
}
CONTEXT_CHARS = 300  # of the text before a passage read for the context signals
_NEGATED = re.compile(r"\b(?:niet|geen|nooit|nog)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
DOC_GROUPS = {
    "begroting": "begroting", "jaarverslag": "jaarverslag", "motie": "raad", "amendement": "raad",
    "raadsvoorstel": "raad", "raadsinformatiebrief": "raad", "notulen": "raad", "beleidsplan": "plan",
    "risicoprofiel": "plan", "memo": "plan",
}
SUBJECT_CONTEXT = ("rijk", "algemeen")
#: Documents an organisation writes about its own work (not research about organisations in general):
#: there a passage on a measure is rarely mere context.
OWN_DOCUMENT_TYPES = ("gemeente", "veiligheidsregio", "ggd")


@dataclass(frozen=True)
class StageResult:
    stage: int
    cue: str | None  # the words that decided, or None when no cue was found


@dataclass(frozen=True)
class TextContext:
    """What is known of a text's document: type, year, organisation, and the text just before it."""

    doc_type: str | None = None
    year: int | None = None
    organisation: str | None = None
    organisation_type: str | None = None
    before: str = ""
    known: bool = False  # True when the fields come from a document (else: a loose text, nothing known)


DECISIONS = ("argmax", "median", "window")


def decide(p: np.ndarray, decision: str) -> int:
    """The level index to decide for, given the predicted distribution ``p`` over an ordered scale.

    "argmax": the most probable level. "median": where the cumulative probability reaches one half,
    which minimises the expected distance in steps (a near miss costs less than a far one).
    "window": the level that maximises the expected agreement exact plus within one step,
    p[d] + p[d-1] + p[d] + p[d+1], the criterion the design is chosen by (:func:`design_score`).
    """
    if decision == "median":
        return int(np.searchsorted(np.cumsum(p), 0.5 - 1e-9))
    if decision == "window":
        near = p + np.r_[0.0, p[:-1]] + np.r_[p[1:], 0.0]
        return int(np.argmax(p + near))
    return int(np.argmax(p))


@dataclass
class StageModel:
    """Coefficients of the stage model and how it decides.

    ``kind`` "multinomial": one row of ``coef`` per level (softmax). ``kind`` "cumulative": one row
    per step between levels, the logit of "above level k" (an ordinal model: the scale is ordered).
    ``decision``: see :func:`decide`.
    """

    levels: list[int]
    features: list[str]
    coef: list[list[float]]
    intercept: list[float]
    trained_on: str = ""
    extra: dict = field(default_factory=dict)
    kind: str = "multinomial"
    decision: str = "argmax"

    @classmethod
    def builtin(cls) -> StageModel | None:
        path = resources.files("weerbaar.classify.data").joinpath(STAGE_MODEL)
        return cls(**json.loads(path.read_text("utf-8"))) if path.is_file() else None

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1, ensure_ascii=False)

    def distribution(self, x: np.ndarray) -> np.ndarray:
        """P(level) for one feature vector, in the order of ``levels``."""
        logits = np.asarray(self.coef, dtype=np.float64) @ x + np.asarray(self.intercept, dtype=np.float64)
        if self.kind == "cumulative":
            above = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
            above = np.minimum.accumulate(above)  # P(above k) cannot rise with k
            return np.maximum(np.r_[1.0, above] - np.r_[above, 0.0], 0.0)
        e = np.exp(logits - logits.max())
        return e / e.sum()

    def decide(self, x: np.ndarray) -> int:
        """The index (into ``levels``) the model decides for."""
        return decide(self.distribution(x), self.decision)

    def contribution(self, x: np.ndarray, k: int) -> np.ndarray:
        """How much each feature pushed towards level index ``k`` (positive: towards it).

        Cumulative: what pushed the passage above the level below (``k - 1``) and what kept it from
        going above ``k``."""
        coef = np.asarray(self.coef, dtype=np.float64)
        if self.kind == "cumulative":
            up = coef[k - 1] if k > 0 else np.zeros(coef.shape[1])
            down = coef[k] if k < len(coef) else np.zeros(coef.shape[1])
            return (up - down) * x
        return coef[k] * x


class StageDetector:
    def __init__(self, codebook: Codebook, default_stage: int = 0, model: StageModel | None | bool = True):
        self.default_stage = default_stage
        self.levels = sorted(s.level for s in codebook.stages)
        self.patterns = [
            (stage.level, CuePattern(stage.cues))
            for stage in sorted(codebook.stages, key=lambda s: -s.level)
            if stage.cues
        ]
        self.feature_names = self._feature_names()
        self.planning, self.execution = codebook.planning_stage, codebook.execution_stage
        if model is True:
            model = StageModel.builtin()
        # A model fitted for another scale or other signals is not used: the cues decide then.
        fits = isinstance(model, StageModel) and model.levels == self.levels and model.features == self.feature_names
        self.model = model if fits and isinstance(model, StageModel) else None

    def _feature_names(self) -> list[str]:
        return ([f"cue_{level}" for level in self.levels] + list(_SIGNALS)
                + ["year_before", "year_same", "year_after"] + [f"doc_{g}" for g in sorted(set(DOC_GROUPS.values()))]
                + [f"subject_{s}" for s in SUBJECT_CONTEXT]
                + ["budget_realised", "annual_realised", "own_document"] + list(_CONTEXT_SIGNALS))

    def _cue_hits(self, text: str) -> Iterator[tuple[int, str]]:
        """(level, words) of the first cue per stage that is not right after a negation, highest stage first."""
        for level, pattern in self.patterns:
            for m in pattern.finditer(text):
                if not _NEGATION.search(text[max(0, m.start() - 30) : m.start()]):
                    yield level, m.group(0)
                    break

    def cue(self, text: str) -> StageResult | None:
        """The highest stage whose cue occurs (not right after a negation), or None."""
        hit = next(self._cue_hits(text), None)
        return StageResult(*hit) if hit else None

    def signals(self, text: str, context: TextContext = TextContext(), subject: str | None = None
                ) -> tuple[np.ndarray, dict[str, str]]:
        """The feature vector, and for each signal that fired the words that fired it."""
        values: dict[str, float] = {}
        words: dict[str, str] = {}
        for level, cue in self._cue_hits(text):
            values[f"cue_{level}"], words[f"cue_{level}"] = 1.0, cue
        for name, pattern in _SIGNALS.items():
            for m in pattern.finditer(text):
                if name in _TENSES and _NEGATED.search(m.group(0)):
                    continue  # "is niet gemeten", "hebben nog geen … aangewezen": nothing realised
                values[name], words[name] = 1.0, m.group(0)
                break
        years = [int(y) for y in _YEAR.findall(text)]
        if context.year and years:
            for name, hit in (("year_before", [y for y in years if y < context.year]),
                              ("year_same", [y for y in years if y == context.year]),
                              ("year_after", [y for y in years if y > context.year])):
                if hit:
                    values[name], words[name] = 1.0, str(hit[0])
        group = DOC_GROUPS.get(context.doc_type or "")
        if group:
            values[f"doc_{group}"] = 1.0
        if subject in SUBJECT_CONTEXT:
            values[f"subject_{subject}"] = 1.0
        realised = values.get("perfect_passive") or values.get("perfect_active")
        if realised and group == "begroting":
            values["budget_realised"] = 1.0
        if realised and group == "jaarverslag":
            values["annual_realised"] = 1.0
        if context.organisation_type in OWN_DOCUMENT_TYPES:
            values["own_document"] = 1.0
        before = context.before[-CONTEXT_CHARS:]
        for name, pattern in _CONTEXT_SIGNALS.items():
            found = pattern.search(before)
            if found and not (name == "context_realised" and _NEGATED.search(found.group(0))):
                values[name], words[name] = 1.0, found.group(0).strip()
        return np.array([values.get(f, 0.0) for f in self.feature_names], dtype=np.float32), words

    def detect(self, text: str, context: TextContext = TextContext(), subject: str | None = None) -> StageResult:
        # The model learned from passages in documents; a loose text (classificeer without document
        # fields) lacks the signals it weighs, so there the codebook's cues decide.
        if self.model is None or not context.known:
            return self.cue(text) or StageResult(self.default_stage, None)
        x, words = self.signals(text, context, subject)
        k = self.model.decide(x)
        contribution = self.model.contribution(x, k)
        deciding = [self.feature_names[i] for i in np.argsort(-contribution) if contribution[i] > 0]
        # Only words of the passage itself are shown (not a year, not the heading before it).
        shown = [f for f in deciding if f in words and not f.startswith(("year_", "context_"))]
        if not shown:
            # Decided by what has no words of its own (the document type, a heading): show the stage
            # language the passage does have, the cue nearest the level decided first.
            shown = sorted((f for f in words if f.startswith("cue_")), key=lambda f: abs(int(f[4:]) - self.levels[k]))
        cue = words[shown[0]] if shown else None
        result = StageResult(self.model.levels[k], cue)
        if context.organisation_type and context.organisation_type not in OWN_DOCUMENT_TYPES and subject == "algemeen":
            # Research or national text about organisations in general: context by definition (the
            # labelling guide's stage 0), whatever tense it is written in; the model cannot learn this
            # for a kind of document it has not seen.
            return StageResult(min(self.levels), None)
        return self._document_rule(result, dict(zip(self.feature_names, x)), words)

    def _document_rule(self, result: StageResult, f: dict[str, float], words: dict[str, str]) -> StageResult:
        """What the document type says, over what the model learned: budgets plan unless they report
        something realised (a perfect tense, a year before the budget's); annual reports report."""
        realised = f.get("perfect_passive") or f.get("perfect_active") or f.get("year_before")
        if f.get("doc_begroting") and not realised and self.planning is not None and result.stage > self.planning:
            return StageResult(self.planning, result.cue)
        if f.get("doc_jaarverslag") and (f.get("perfect_passive") or f.get("perfect_active")) \
                and self.execution is not None and result.stage < self.execution:
            return StageResult(self.execution, words.get("perfect_passive") or words.get("perfect_active"))
        return result


#: The designs the stage model chooses among, each by inner leave-one-group-out on its training part:
#: (kind, decision, whether the context signals before the passage are used).
STAGE_DESIGNS: tuple[tuple[str, str, bool], ...] = tuple(
    (kind, decision, context) for kind in ("multinomial", "cumulative") for context in (False, True)
    for decision in DECISIONS)


def _fit_coefficients(x: np.ndarray, y: np.ndarray, levels: list[int], kind: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    if kind == "cumulative":
        # All-threshold ordinal model: one binary logistic regression per step "above level k".
        coef = np.zeros((len(levels) - 1, x.shape[1]), dtype=np.float32)
        intercept = np.zeros(len(levels) - 1, dtype=np.float32)
        for k, level in enumerate(levels[:-1]):
            above = y > level
            if above.all() or not above.any():
                intercept[k] = 30.0 if above.all() else -30.0
                continue
            lr = LogisticRegression(C=1.0, max_iter=3000).fit(x, above)
            coef[k], intercept[k] = lr.coef_[0], lr.intercept_[0]
        return coef, intercept
    lr = LogisticRegression(C=1.0, max_iter=3000)
    lr.fit(x, y)
    coef = np.zeros((len(levels), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(levels), -30.0, dtype=np.float32)  # a level never seen is never chosen
    for row, level in enumerate(lr.classes_):
        k = levels.index(int(level))
        coef[k] = lr.coef_[row] if len(lr.classes_) > 2 else (lr.coef_[0] if row else -lr.coef_[0])
        intercept[k] = lr.intercept_[row] if len(lr.classes_) > 2 else (lr.intercept_[0] if row else -lr.intercept_[0])
    return coef, intercept


def _model(detector: StageDetector, x: np.ndarray, y: np.ndarray, design: tuple[str, str, bool],
           trained_on: str) -> StageModel:
    kind, decision, context = design
    if not context:  # the context signals left out: their columns never fire
        x = x * np.array([not f.startswith("context_") for f in detector.feature_names], dtype=x.dtype)
    coef, intercept = _fit_coefficients(x, y, detector.levels, kind)
    return StageModel(levels=detector.levels, features=detector.feature_names, coef=coef.tolist(),
                      intercept=intercept.tolist(), trained_on=trained_on, kind=kind, decision=decision)


def design_score(stages: np.ndarray, decided: np.ndarray, groups: np.ndarray) -> float:
    """Exact and within-one-step agreement, each averaged over groups (every organisation counts once)."""
    scores = []
    for g in sorted(set(groups)):
        rows = groups == g
        scores.append((np.mean(stages[rows] == decided[rows]) + np.mean(np.abs(stages[rows] - decided[rows]) <= 1)) / 2)
    return float(np.mean(scores))


def choose_design(detector: StageDetector, x: np.ndarray, y: np.ndarray, groups: np.ndarray
                  ) -> tuple[tuple[str, str, bool], dict[str, float]]:
    """The design with the best :func:`design_score` when each group is left out in turn and the
    model fitted on the others: chosen on the training part only, never on the data it is reported for.
    The decision rules share one fit per model kind and feature set."""
    scores = {}
    for kind, context in dict.fromkeys((k, c) for k, _, c in STAGE_DESIGNS):
        decided = {d: np.zeros(len(y), dtype=int) for d in DECISIONS}
        for g in sorted(set(groups)):
            held = groups == g
            if len(set(y[~held])) < 2:
                for d in DECISIONS:
                    decided[d][held] = y[~held][0] if (~held).any() else detector.levels[0]
                continue
            model = _model(detector, x[~held], y[~held], (kind, "argmax", context), "")
            distributions = [model.distribution(row) for row in x[held]]
            for d in DECISIONS:
                decided[d][held] = [model.levels[decide(p, d)] for p in distributions]
        for d in DECISIONS:
            scores[f"{kind}/{d}/{context}"] = design_score(y, decided[d], groups)
    best = max(STAGE_DESIGNS, key=lambda d: scores["/".join(map(str, d))])  # ties: the first (simplest)
    return best, scores


def fit_stage_model(detector: StageDetector, texts: Sequence[str], contexts: Sequence[TextContext],
                    subjects: Sequence[str | None], stages: Sequence[int], trained_on: str,
                    groups: Sequence[str] | None = None, design: tuple[str, str, bool] | None = None) -> StageModel:
    """A logistic model on the detector's signals; every level of the scale kept.

    ``design`` (kind, decision, context signals) as given; else chosen by :func:`choose_design` on
    ``groups`` (leave one out) when there are at least three, else multinomial argmax with context.
    """
    from threadpoolctl import threadpool_limits

    x = np.stack([detector.signals(t, c, s)[0] for t, c, s in zip(texts, contexts, subjects)])
    y = np.asarray(stages)
    chosen: dict[str, float] = {}
    # Many small fits: one BLAS thread each (several threads spin on a busy machine, 10x slower).
    with threadpool_limits(limits=1):
        if design is None:
            if groups is not None and len(set(groups)) >= 3:
                design, chosen = choose_design(detector, x, y, np.asarray(groups))
            else:
                design = ("multinomial", "argmax", True)
        model = _model(detector, x, y, design, trained_on)
    if chosen:
        model.extra = {"design_scores": {k: round(v, 4) for k, v in chosen.items()}}
    return model
