"""The relevance model: the probability that a passage is evidence for a measure.

Two layers, so that what labels can teach is used and what they cannot is not over-fitted:

1. A **shared** logistic model over features that mean the same for every measure (so it also
   serves measures with few labels and a user's own codebook):

   - ``lexical``: BM25 of the measure's vocabulary (reference document frequencies), saturated
   - ``terms``: how many different vocabulary terms occur (0–4, scaled)
   - ``keyword``: whether any vocabulary term occurs as written (the keyword scan's own signal)
   - ``semantic``: highest cosine similarity to the measure's prototypes (definition,
     vocabulary, positive examples)
   - ``specific``: that similarity minus the passage's mean over all measures, so text about
     resilience in general does not count for every measure
   - ``top``: 1 when this measure is the passage's most similar one, ½ for second, …
   - ``negative``: highest similarity to the codebook's negative examples
   - ``context``: crisis-context words (0–4, scaled), and its products with ``lexical`` and
     ``semantic`` ("Wmo" in a budget line is not evidence for 6.2, "Wmo in een crisis" is)

2. Per measure, **weights on the sentence embedding** added to the shared logit: the 512-d
   vector is projected on its main directions in the training passages (PCA, ``PROJECTION``
   dimensions: fewer parameters than labels), and the weights are fitted with an L2 penalty around
   zero, so a measure with few labelled passages stays close to the shared model (shrinkage) and
   one with many learns its own sense of the topic.

Thresholds are chosen per measure on out-of-group predictions (leave one organisation out while
fitting) and shrunk towards the shared threshold when a measure has few positives. The score a
measure gets is shifted so that its own threshold falls on the shared one: one cut-off then
serves every measure downstream (queue, verdicts, reports), and scores stay near-calibrated around it.

The built-in model (``classify/data/relevance-model.json``) was fitted on ``eval/``'s labelled
sets; a workspace with enough reviewed passages may get its own fit when it does better.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

FEATURES = ("lexical", "terms", "keyword", "semantic", "specific", "top", "negative", "context",
            "lexical_context", "semantic_context")
BUILTIN_MODEL = "relevance-model.json"
PROJECTION = 48  # dimensions of the embedding the measure weights see
MEASURE_PENALTY = 4.0  # L2 penalty on a measure's embedding weights: its prior is the shared model
MIN_MEASURE_POSITIVES = 3  # fewer labelled positives: no measure-specific weights
THRESHOLD_SHRINK = 8.0  # positives' worth of weight the shared threshold keeps in a measure's own


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass
class RelevanceModel:
    coef: list[float]
    intercept: float
    threshold: float
    default_stage: int = 0
    name: str = "ingebouwd"
    trained_on: str = ""
    n_pairs: int = 0
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    measure_ids: list[str] = field(default_factory=list)
    measure_bias: list[float] = field(default_factory=list)
    measure_weights: str = ""  # base64 of float32 (measures × PROJECTION); "" when none
    projection: str = ""  # base64 of float32: the embedding mean, then PROJECTION principal directions
    measure_threshold: list[float] = field(default_factory=list)

    def probability(self, feats: np.ndarray) -> np.ndarray:
        """The shared model alone: feats (..., len(FEATURES)) → probabilities in [0, 1]."""
        return _sigmoid(feats @ np.asarray(self.coef, dtype=np.float32) + self.intercept)

    def scores(self, feats: np.ndarray, vectors: np.ndarray | None, measure_ids: list[str]) -> np.ndarray:
        """Scores for (texts, measures): shared logit + measure weights, shifted to one threshold."""
        z = feats @ np.asarray(self.coef, dtype=np.float32) + self.intercept
        own = {m: j for j, m in enumerate(self.measure_ids)}
        cols = [own.get(m) for m in measure_ids]
        if vectors is not None and self.measure_weights and any(c is not None for c in cols):
            weights, bias = self.weight_matrix(), np.asarray(self.measure_bias, dtype=np.float32)
            projected = project(vectors, _decode(self.projection).reshape(-1, vectors.shape[1]))
            for j, c in enumerate(cols):
                if c is not None:
                    z[:, j] += projected @ weights[c] + bias[c]
        if self.measure_threshold:
            shift = np.array([0.0 if c is None else _logit(self.threshold) - _logit(self.measure_threshold[c])
                              for c in cols], dtype=np.float32)
            z = z + shift
        return _sigmoid(z)

    def weight_matrix(self) -> np.ndarray:
        return _decode(self.measure_weights).reshape(len(self.measure_ids), -1)

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)

    def summary(self) -> dict:
        """What travels with every analysis run: the model without its weight matrices."""
        return {k: v for k, v in asdict(self).items() if k not in ("measure_weights", "projection")}

    @classmethod
    def from_json(cls, text: str) -> RelevanceModel:
        data = json.loads(text)
        if tuple(data.get("features", FEATURES)) != FEATURES:
            raise ValueError("model features do not match this version of weerbaar")
        return cls(**data)

    @classmethod
    def builtin(cls) -> RelevanceModel:
        return cls.from_json(resources.files("weerbaar.classify.data").joinpath(BUILTIN_MODEL).read_text("utf-8"))

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")


def _decode(blob: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(blob), dtype=np.float32)


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.float32).tobytes()).decode()


def principal_directions(vectors: np.ndarray, k: int = PROJECTION) -> np.ndarray:
    """(k + 1, d): the mean, then the top-k principal directions of ``vectors``."""
    mean = vectors.mean(axis=0, dtype=np.float64)
    centred = vectors - mean
    _, directions = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
    return np.vstack([mean, directions[:, ::-1][:, :k].T]).astype(np.float32)


def project(vectors: np.ndarray, projection: np.ndarray) -> np.ndarray:
    return (vectors - projection[0]) @ projection[1:].T


def best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The threshold with the highest F1 on these pairs (ties: the lower threshold, for recall)."""
    p = np.asarray(probabilities, dtype=float).ravel()
    y = np.asarray(labels, dtype=bool).ravel()
    if not y.any():
        return 0.5
    order = np.argsort(-p, kind="stable")
    p, y = p[order], y[order]
    tp = np.cumsum(y)
    f1 = 2 * tp / (np.arange(1, len(p) + 1) + y.sum())
    last_of_value = np.r_[p[1:] != p[:-1], True]  # a threshold takes all pairs with that score
    f1 = np.where(last_of_value, f1, -1.0)
    best = int(np.argmax(f1 + 1e-9 * np.arange(len(f1))))  # ties: the lower threshold
    return float(p[best])


def group_threshold(probabilities: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> float:
    """The threshold with the best F1 *averaged over groups* (each organisation counts once).

    Pooled F1 favours the group with the most positives (research reports, dense with evidence);
    a threshold that must hold for an unseen organisation should do well for each of them.
    A group without positives scores 1 when nothing in it is flagged and 0 when anything is.
    """
    p = np.asarray(probabilities, dtype=float).reshape(len(groups), -1)
    y = np.asarray(labels, dtype=bool).reshape(len(groups), -1)
    candidates = np.unique(np.round(p[y], 4)) if y.any() else np.array([0.5])
    names = sorted(set(groups))
    best, best_score = 0.5, -1.0
    for t in candidates:
        flagged = p >= t
        per_group = []
        for g in names:
            rows = groups == g
            tp = np.sum(flagged[rows] & y[rows])
            denominator = flagged[rows].sum() + y[rows].sum()
            per_group.append(2 * tp / denominator if denominator else 1.0)
        score = float(np.mean(per_group))
        if score > best_score + 1e-9:
            best, best_score = float(t), score
    return best


def _fit_measure(vectors: np.ndarray, offset: np.ndarray, y: np.ndarray, penalty: float) -> tuple[np.ndarray, float]:
    """Embedding weights and bias for one measure, added to a fixed shared logit, L2-penalised."""
    from scipy.optimize import minimize

    x = vectors.astype(np.float64)
    target = y.astype(np.float64)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = offset + x @ w + b
        value = np.sum(np.logaddexp(0, z) - target * z) + 0.5 * penalty * (w @ w + b * b)
        residual = _sigmoid(z) - target
        return float(value), np.r_[x.T @ residual + penalty * w, residual.sum() + penalty * b]

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 200})
    return result.x[:-1].astype(np.float32), float(result.x[-1])


def _fit_layers(features: np.ndarray, vectors: np.ndarray | None, labels: np.ndarray, measure_ids: list[str]):
    """Shared coefficients, then per-measure weights on top. features (n, M, F), labels (n, M)."""
    from sklearn.linear_model import LogisticRegression

    n, m, f = features.shape
    flat_y = labels.reshape(-1)
    if flat_y.all() or not flat_y.any():
        raise ValueError("need relevant and not-relevant examples to fit a model")
    lr = LogisticRegression(C=1.0, max_iter=2000)
    lr.fit(features.reshape(-1, f), flat_y)
    coef, intercept = lr.coef_[0].astype(np.float32), float(lr.intercept_[0])
    bias = np.zeros(m, dtype=np.float32)
    if vectors is None:
        return coef, intercept, np.zeros((m, 0), dtype=np.float32), bias, None
    projection = principal_directions(vectors, min(PROJECTION, n - 1))
    projected = project(vectors, projection)
    weights = np.zeros((m, projected.shape[1]), dtype=np.float32)
    shared = features @ coef + intercept  # (n, M)
    for j in range(m):
        if labels[:, j].sum() >= MIN_MEASURE_POSITIVES:
            weights[j], bias[j] = _fit_measure(projected, shared[:, j], labels[:, j], MEASURE_PENALTY)
    return coef, intercept, weights, bias, projection


def _raw_scores(features, vectors, coef, intercept, weights, bias, projection) -> np.ndarray:
    z = features @ coef + intercept
    if vectors is not None and projection is not None:
        z = z + project(vectors, projection) @ weights.T + bias
    return _sigmoid(z)


def fit(features: np.ndarray, labels: np.ndarray, *, measure_ids: list[str], vectors: np.ndarray | None = None,
        groups: np.ndarray | None = None, threshold_measures: list[str] | None = None, name: str, trained_on: str,
        default_stage: int = 0) -> RelevanceModel:
    """Fit on (passages, measures) and choose thresholds on out-of-group predictions.

    ``groups`` (one label per passage, e.g. its organisation) decide the folds for the threshold:
    a threshold chosen on the passages the model was fitted on is optimistic, one chosen on
    organisations left out holds better on new ones. Without groups, five folds by passage.
    ``threshold_measures``: the measures whose labels are complete enough to set the shared
    threshold (the crucial ones); all measures by default.
    """
    from threadpoolctl import threadpool_limits

    # Many small matrix operations: one BLAS thread each is faster, and on a busy machine
    # multi-threaded BLAS spins (an eigen-decomposition took 12 s instead of 0.3 s).
    with threadpool_limits(limits=1):
        return _fit(features, labels, measure_ids, vectors, groups, threshold_measures, name, trained_on, default_stage)


def _fit(features, labels, measure_ids, vectors, groups, threshold_measures, name, trained_on, default_stage):
    labels = labels.astype(bool)
    n = len(labels)
    coef, intercept, weights, bias, projection = _fit_layers(features, vectors, labels, measure_ids)
    if groups is None or len(set(groups)) < 3:
        groups = np.arange(n) % 5
    oof = np.zeros(labels.shape, dtype=np.float32)
    for g in sorted(set(groups)):
        held = np.asarray(groups) == g
        if labels[~held].any() and not labels[~held].all():
            layers = _fit_layers(features[~held], None if vectors is None else vectors[~held], labels[~held],
                                 measure_ids)
            oof[held] = _raw_scores(features[held], None if vectors is None else vectors[held], *layers)
    cols = [measure_ids.index(m) for m in (threshold_measures or measure_ids)]
    groups = np.asarray(groups)
    shared_threshold = group_threshold(oof[:, cols], labels[:, cols], groups)
    own = []
    for j in range(len(measure_ids)):
        positives = int(labels[:, j].sum())
        t = group_threshold(oof[:, j], labels[:, j], groups) if positives else shared_threshold
        own.append(float(np.exp((positives * np.log(t) + THRESHOLD_SHRINK * np.log(shared_threshold))
                                / (positives + THRESHOLD_SHRINK))))
    return RelevanceModel(
        coef=[float(c) for c in coef], intercept=intercept, threshold=float(shared_threshold),
        default_stage=default_stage, name=name, trained_on=trained_on, n_pairs=int(labels.size),
        measure_ids=list(measure_ids), measure_bias=[float(b) for b in bias],
        measure_weights=_encode(weights) if projection is not None else "",
        projection=_encode(projection) if projection is not None else "", measure_threshold=own)


def agreement_score(predicted: np.ndarray, labels: np.ndarray) -> float:
    """Matthews correlation of predictions with labels: 0 for flagging everything or nothing, 1 when perfect.

    Unlike F1 it cannot be won by calling every pair relevant (which a few one-sided decisions invite).
    """
    predicted, labels = np.asarray(predicted, dtype=bool), np.asarray(labels, dtype=bool)
    tp, tn = float(np.sum(predicted & labels)), float(np.sum(~predicted & ~labels))
    fp, fn = float(np.sum(predicted & ~labels)), float(np.sum(~predicted & labels))
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return float((tp * tn - fp * fn) / denominator) if denominator else 0.0


def fit_shared(features: np.ndarray, labels: np.ndarray, *, name: str, trained_on: str) -> RelevanceModel:
    """A shared-layer model from labelled (passage, measure) pairs, e.g. a workspace's decisions.

    features (pairs, FEATURES); the threshold comes from five-fold out-of-fold probabilities.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = np.asarray(labels, dtype=bool)
    lr = LogisticRegression(C=1.0, max_iter=2000)
    folds = min(5, int(labels.sum()), int((~labels).sum()))
    oof = cross_val_predict(lr, features, labels, method="predict_proba",
                            cv=StratifiedKFold(folds, shuffle=True, random_state=0))[:, 1]
    lr.fit(features, labels)
    return RelevanceModel(coef=[float(c) for c in lr.coef_[0]], intercept=float(lr.intercept_[0]),
                          threshold=best_threshold(oof, labels), name=name, trained_on=trained_on,
                          n_pairs=int(len(labels)))


def cross_validated_agreement(features: np.ndarray, labels: np.ndarray, folds: int = 5) -> float:
    """:func:`agreement_score` of a shared-layer model on held-out folds, thresholds chosen on the training parts."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels, dtype=bool)
    folds = min(folds, int(labels.sum()), int((~labels).sum()))
    predicted = np.zeros(len(labels), dtype=bool)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(features, labels):
        lr = LogisticRegression(C=1.0, max_iter=2000).fit(features[train], labels[train])
        threshold = best_threshold(lr.predict_proba(features[train])[:, 1], labels[train])
        predicted[test] = lr.predict_proba(features[test])[:, 1] >= threshold
    return agreement_score(predicted, labels)
