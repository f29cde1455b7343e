"""The review queue of one measure: which passage a reviewer sees next, and how far the measure is.

Candidates are the passage × measure pairs that ``analyseer`` stored, within the chosen document
filters. The order is re-ranked from the reviewers' decisions every ``RERANK_EVERY`` decisions
(:mod:`weerbaar.review.active`); in between, the last ranking stands and decided passages drop
out, so a decision costs one small query and an undone decision puts its passage back at once.

Double review: with a share above 0, a stable sample of the passages another reviewer decided
comes back to a second reviewer first, so that agreement (Cohen's kappa) can be measured.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
import numpy as np

from weerbaar.codebook.model import DEFAULT_SCALE
from weerbaar.review.active import QueueState, rerank, should_stop
from weerbaar.workspace import Workspace
from weerbaar.workspace.decisions import Vote, finals, latest_per_reviewer
from weerbaar.workspace.documents import DocumentFilters

RERANK_EVERY = 5


@dataclass
class Progress:
    candidates: int  # pairs analysis stored for this measure (within the filters)
    above_threshold: int
    reviewed: int  # candidates with at least one decision
    relevant: int  # candidates whose final decision is relevant
    left_above_threshold: int
    expected_remaining: float  # relevant passages probably still among the unreviewed
    stop_suggested: bool
    learned: bool  # the order comes from reviewers' decisions, not only from the analysis


@dataclass
class NextItem:
    passage_id: int
    double_review: bool  # another reviewer decided it; this is the second look


def in_double_sample(passage_id: int, measure_id: str, share: float) -> bool:
    """A stable, reviewer-independent draw: the same pairs are sampled on every machine."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{passage_id}:{measure_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


class MeasureQueue:
    """Ranked candidates of one measure within filters; safe to share between request threads."""

    def __init__(self, measure_id: str, filters: DocumentFilters | None = None, threshold: float = 0.5,
                 max_stage: int = DEFAULT_SCALE.maximum):
        self.measure_id = measure_id
        self.max_stage = max_stage or 1  # the codebook's highest stage, to scale the stage feature to 0–1
        self.filters = filters or DocumentFilters()
        self.threshold = threshold
        self._lock = threading.Lock()
        self._ids: np.ndarray | None = None
        self._state: QueueState | None = None
        self._ranking: list[int] = []  # passage ids, best first (all candidates)
        self._decisions_at_rank = -1

    def _load_candidates(self, ws: Workspace) -> None:
        rows = ws.evidence.queue_candidates(self.measure_id, self.filters)
        self._ids = np.array([r[0] for r in rows], dtype=np.int64)
        self._prior = np.array([r[1] for r in rows], dtype=float)
        # Features a reviewer's decisions can re-weigh: the analysis score and its parts, the stage
        # and how many evidence elements were found.
        self._features = np.array([[r[1], r[2], r[3], r[4] / self.max_stage, min(len(json.loads(r[5])), 4) / 4] for r in rows],
                                  dtype=float).reshape(len(rows), 5)
        self._index = {int(pid): i for i, pid in enumerate(self._ids)}

    def _active_decisions(self, ws: Workspace) -> list[Vote]:
        return ws.decisions.votes(self.measure_id, attached=True)

    @staticmethod
    def _final(decisions: list[Vote]) -> dict[int, bool]:
        """passage → the label that counts, by the decision log's one rule (:func:`finals`)."""
        return {key.passage_id: vote.relevant for key, vote in finals(latest_per_reviewer(decisions)).items()}

    def _refresh(self, ws: Workspace, decisions) -> None:
        if self._ids is None:
            self._load_candidates(ws)
        if self._state is not None and abs(len(decisions) - self._decisions_at_rank) < RERANK_EVERY:
            return
        final = self._final(decisions)
        decided = {self._index[pid]: label for pid, label in final.items() if pid in self._index}
        self._state = rerank(self._features, self._prior, decided)
        order = np.argsort(-self._state.scores, kind="stable")
        self._ranking = [int(self._ids[i]) for i in order]
        self._decisions_at_rank = len(decisions)

    def next_item(self, ws: Workspace, reviewer: str, double_share: float = 0.0, skip: set[int] = frozenset()) -> NextItem | None:
        with self._lock:
            decisions = self._active_decisions(ws)
            self._refresh(ws, decisions)
            by_anyone: dict[int, set[str]] = {}
            for d in decisions:
                by_anyone.setdefault(d.passage_id, set()).add(d.reviewer)
            if double_share > 0:
                for pid in self._ranking:
                    who = by_anyone.get(pid)
                    if (who and reviewer not in who and len(who) == 1 and pid not in skip
                            and in_double_sample(pid, self.measure_id, double_share)):
                        return NextItem(pid, True)
            for pid in self._ranking:
                if pid not in by_anyone and pid not in skip:
                    return NextItem(pid, False)
        return None

    def progress(self, ws: Workspace) -> Progress:
        with self._lock:
            decisions = self._active_decisions(ws)
            self._refresh(ws, decisions)
            final = self._final(decisions)
            reviewed = {d.passage_id for d in decisions} & self._index.keys()
            open_idx = [i for pid, i in self._index.items() if pid not in reviewed]
            above = self._prior >= self.threshold
            state = QueueState(order=[], scores=self._state.scores,
                               expected_remaining=float(self._state.scores[open_idx].sum()) if open_idx else 0.0)
            recent = [d.relevant for d in decisions if d.passage_id in self._index]
            return Progress(
                candidates=len(self._ids), above_threshold=int(above.sum()), reviewed=len(reviewed),
                relevant=sum(1 for pid, label in final.items() if label and pid in self._index),
                left_above_threshold=int(sum(1 for i in open_idx if above[i])),
                expected_remaining=state.expected_remaining,
                stop_suggested=bool(self._ids.size) and should_stop(state, recent),
                learned=not np.allclose(self._state.scores, self._prior))
