"""The relevance model: a calibrated probability that a passage is evidence for a measure.

Lexical and semantic signals are fused by logistic regression over a few features that mean the
same for every measure, so one small model serves all 41 measures and a user's own codebook:

- ``lexical``: BM25 of the measure's vocabulary, saturated to [0, 1)
- ``terms``: how many different vocabulary terms occur (0–4, scaled)
- ``semantic``: highest cosine similarity to the measure's prototypes (definition, vocabulary,
  positive examples)
- ``specific``: that similarity minus the passage's mean similarity over all measures, so text
  that speaks about resilience in general does not count for every measure
- ``negative``: highest similarity to the codebook's negative examples
- ``context``: how many of the codebook's crisis-context words occur (0–4, scaled), and its
  products with ``lexical`` and ``semantic``: a measure's words count for more when the passage
  is about crisis or disruption ("Wmo" in a budget line is not evidence for measure 6.2)

The built-in coefficients, threshold and default stage were fitted on the tuning part of the
labelled development set (``eval/``); a workspace with enough reviewed passages gets its own fit.
The model, its data and its threshold travel with every result (``name``, ``trained_on``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

FEATURES = ("lexical", "terms", "semantic", "specific", "negative", "context", "lexical_context", "semantic_context")
BUILTIN_MODEL = "relevance-model.json"


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

    def probability(self, feats: np.ndarray) -> np.ndarray:
        """feats: (..., len(FEATURES)) → probabilities in [0, 1]."""
        z = feats @ np.asarray(self.coef, dtype=np.float32) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

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


def best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The threshold with the highest F1 on these pairs (ties: the lower threshold, for recall)."""
    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(probabilities, 4)):
        predicted = probabilities >= t
        tp = float(np.sum(predicted & labels))
        f1 = 2 * tp / (predicted.sum() + labels.sum()) if labels.sum() else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def fit(features: np.ndarray, labels: np.ndarray, *, name: str, trained_on: str, default_stage: int = 0) -> RelevanceModel:
    """Fit coefficients on (passage, measure) pairs, and the threshold on out-of-fold predictions.

    A threshold chosen on the same pairs the model was fitted on is optimistic; 5-fold
    cross-validated probabilities give one that holds better on new text.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = labels.astype(bool)
    if labels.all() or not labels.any():
        raise ValueError("need relevant and not-relevant examples to fit a model")
    # No class weighting: it would inflate the probabilities and undo the calibration
    # (measured by cross-validation on the tune part: ECE 0.008 unweighted against 0.143 balanced).
    lr = LogisticRegression(C=1.0, max_iter=1000)
    folds = min(5, int(labels.sum()), int((~labels).sum()))
    if folds >= 2:
        oof = cross_val_predict(lr, features, labels, method="predict_proba",
                                cv=StratifiedKFold(folds, shuffle=True, random_state=0))[:, 1]
    lr.fit(features, labels)
    model = RelevanceModel(coef=[float(c) for c in lr.coef_[0]], intercept=float(lr.intercept_[0]), threshold=0.5,
                           default_stage=default_stage, name=name, trained_on=trained_on, n_pairs=int(len(labels)))
    scores = oof if folds >= 2 else model.probability(features.astype(np.float32))
    model.threshold = best_threshold(scores, labels)
    return model
