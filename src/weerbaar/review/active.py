"""Active learning for a review queue, in the spirit of ASReview: after every few decisions the
remaining candidates of a measure are re-ranked by a model refitted on what reviewers decided.

- Until both relevant and not-relevant decisions exist (at least ``MIN_EACH`` of each), the
  queue keeps the calibrated built-in scores.
- After that a logistic regression on the candidates' features is fitted on the decisions and
  blended with the prior score (more weight as decisions accumulate); it re-scores the open ones.
- :func:`expected_remaining` sums the calibrated probabilities of what is still unreviewed: the
  expected number of relevant passages not yet seen.
- :func:`should_stop` suggests stopping when that expectation is below half a passage, or after
  a run of consecutive not-relevant decisions (the heuristic ASReview users apply).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_EACH = 3
STOP_AFTER_IRRELEVANT = 20


@dataclass
class QueueState:
    order: list[int]  # candidate indexes, best first, unreviewed only
    scores: np.ndarray  # calibrated probability per candidate (all candidates)
    expected_remaining: float


def rerank(features: np.ndarray, prior: np.ndarray, decided: dict[int, bool]) -> QueueState:
    """features: (candidates, k) for one measure; prior: the calibrated probability per candidate
    (the analysis model's score); decided: candidate index → relevant."""
    scores = np.asarray(prior, dtype=float)
    positives = sum(decided.values())
    if positives >= MIN_EACH and len(decided) - positives >= MIN_EACH:
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        idx = np.fromiter(decided, dtype=int)
        y = np.fromiter(decided.values(), dtype=bool)
        # A few hundred rows of five features: BLAS threads only add start-up and contention
        # (a fit took 20-160 ms with OpenBLAS's threads on a busy 2-core machine, 2-12 ms with one).
        with threadpool_limits(limits=1, user_api="blas"):
            model = LogisticRegression(C=1.0, max_iter=1000).fit(features[idx], y)
            learned = model.predict_proba(features)[:, 1]
        # Shrink towards the prior while the reviewers' evidence is thin.
        weight = len(decided) / (len(decided) + 20)
        scores = weight * learned + (1 - weight) * scores
    order = np.argsort(-scores, kind="stable")
    open_mask = np.ones(len(scores), dtype=bool)
    open_mask[np.fromiter(decided, dtype=int, count=len(decided))] = False
    open_ = order[open_mask[order]]
    return QueueState(order=open_.tolist(), scores=scores,
                      expected_remaining=float(scores[open_].sum()) if open_.size else 0.0)


def expected_remaining(state: QueueState) -> float:
    return state.expected_remaining


def should_stop(state: QueueState, recent: list[bool]) -> bool:
    """Stop when fewer than half a relevant passage is expected to remain, or after a long run of
    not-relevant decisions."""
    run = 0
    for relevant in reversed(recent):
        if relevant:
            break
        run += 1
    return state.expected_remaining < 0.5 or run >= STOP_AFTER_IRRELEVANT
