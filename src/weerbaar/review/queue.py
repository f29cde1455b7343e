"""The review queue of one measure: which passage a reviewer sees next, and how far the measure is.

Candidates are the passage × measure pairs that ``analyseer`` stored, within the chosen document
filters. Their order is re-ranked from the reviewers' decisions (:mod:`weerbaar.review.active`)
whenever a decision or undo has changed the measure since the order in use, and published as one
immutable :class:`Ranking`. Requests only read the last published ranking and
the decisions of now: a decided passage drops out at once and an undone one comes back at once,
whatever order is published. In the web app a background worker
(:class:`weerbaar.review.reranker.Reranker`) does the re-ranking, so no request waits for it;
without one (scripts, tests) the queue re-ranks in the calling thread.

Double review: with a share above 0, a stable sample of the passages another reviewer decided
comes back to a second reviewer first, so that agreement (Cohen's kappa) can be measured.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from weerbaar.codebook.model import DEFAULT_SCALE
from weerbaar.review import active
from weerbaar.review.active import QueueState, should_stop
from weerbaar.workspace import Workspace
from weerbaar.workspace.decisions import Vote, finals, latest_per_reviewer
from weerbaar.workspace.documents import DocumentFilters

RERANK_EVERY = 1  # changes (decisions, undos) that make a published order stale


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


class RerankScheduler(Protocol):
    def request(self, queue: MeasureQueue) -> None: ...


@dataclass(frozen=True)
class Ranking:
    """One published order of a measure's candidates; replaced whole, never changed in place."""
    ids: list[int]  # passage ids, best first (all candidates, decided ones included)
    scores: np.ndarray  # probability per candidate, in candidate order
    seen: frozenset[int]  # the active decisions (their ids) the order was fitted on
    learned: bool  # the order comes from reviewers' decisions, not only from the analysis
    version: int  # publishing order: a ranking never replaces a later one


class MeasureQueue:
    """Ranked candidates of one measure within filters; safe to share between request threads.

    ``reranker``: where to send a re-ranking (the web app's background worker); ``None`` re-ranks
    in the calling thread."""

    def __init__(self, measure_id: str, filters: DocumentFilters | None = None, threshold: float = 0.5,
                 reranker: RerankScheduler | None = None, max_stage: int = DEFAULT_SCALE.maximum):
        self.measure_id = measure_id
        self.max_stage = max_stage or 1  # the codebook's highest stage, to scale the stage feature to 0–1
        self.filters = filters or DocumentFilters()
        self.threshold = threshold
        self.reranker = reranker
        self._load_lock = threading.Lock()  # candidates are loaded once
        self._rank_lock = threading.Lock()  # one re-ranking of this queue at a time
        self._version_lock = threading.Lock()
        self._versions = 0
        self._ids: np.ndarray | None = None
        self._published: Ranking | None = None

    @property
    def published(self) -> Ranking | None:
        return self._published

    def _load_candidates(self, ws: Workspace) -> None:
        if self._ids is not None:  # set last, after everything it depends on
            return
        with self._load_lock:
            if self._ids is not None:
                return
            rows = ws.evidence.queue_candidates(self.measure_id, self.filters)
            prior = np.array([r[1] for r in rows], dtype=float)
            # Features a reviewer's decisions can re-weigh: the analysis score and its parts, the stage
            # and how many evidence elements were found.
            self._features = np.array([[r[1], r[2], r[3], r[4] / self.max_stage, min(len(json.loads(r[5])), 4) / 4]
                                       for r in rows],
                                      dtype=float).reshape(len(rows), 5)
            self._prior = prior
            self._index = {int(pid): i for i, pid in enumerate(r[0] for r in rows)}
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            # Until a re-ranking is published the analysis' own order stands (no model is fitted here).
            self._publish(Ranking(ids=ids[np.argsort(-prior, kind="stable")].tolist(), scores=prior,
                                  seen=frozenset(), learned=False, version=self._next_version()))
            self._ids = ids

    def _next_version(self) -> int:
        with self._version_lock:
            self._versions += 1
            return self._versions

    def _publish(self, ranking: Ranking) -> bool:
        with self._version_lock:
            current = self._published
            if current is not None and current.version > ranking.version:
                return False  # a later state was published meanwhile: the latest state wins
            self._published = ranking  # one reference swap: readers see the old or the new order, whole
            return True

    def _active_decisions(self, ws: Workspace) -> list[Vote]:
        return ws.decisions.votes(self.measure_id, attached=True)

    @staticmethod
    def _final(decisions: list[Vote]) -> dict[int, bool]:
        """passage → the label that counts, by the decision log's one rule (:func:`finals`)."""
        return {key.passage_id: vote.relevant for key, vote in finals(latest_per_reviewer(decisions)).items()}

    def is_stale(self, decisions: list[Vote]) -> bool:
        """Decisions or undos since the published order: it is worth re-ranking."""
        ranking = self._published
        return ranking is None or len(ranking.seen.symmetric_difference(d.id for d in decisions)) >= RERANK_EVERY

    def rerank(self, ws: Workspace, *, force: bool = False) -> bool:
        """Fit the order on the decisions of now and publish it (the worker's job); False when the
        published order is recent enough (and not ``force``) or a later one was published first."""
        self._load_candidates(ws)
        with self._rank_lock:
            version = self._next_version()
            decisions = self._active_decisions(ws)
            if not force and not self.is_stale(decisions):
                return False
            final = self._final(decisions)
            decided = {self._index[pid]: label for pid, label in final.items() if pid in self._index}
            state = active.rerank(self._features, self._prior, decided)
            order = np.argsort(-state.scores, kind="stable")
            ids = self._ids
            assert ids is not None  # loaded above
            return self._publish(Ranking(ids=ids[order].tolist(), scores=state.scores,
                                         seen=frozenset(d.id for d in decisions),
                                         learned=not np.allclose(state.scores, self._prior), version=version))

    def mark_stale(self, ws: Workspace | None = None) -> None:
        """Decisions changed: have the order re-ranked, in the background when there is a worker."""
        if self.reranker is not None:
            self.reranker.request(self)
        elif ws is not None:
            self.rerank(ws)

    def _current(self, ws: Workspace) -> tuple[Ranking, list[Vote]]:
        """The published order and the decisions of now; asks for a re-ranking when they drifted apart."""
        self._load_candidates(ws)
        decisions = self._active_decisions(ws)
        if self.is_stale(decisions):  # also decisions made elsewhere (an import, the CLI, another app)
            self.mark_stale(ws)
        ranking = self._published
        assert ranking is not None  # published when the candidates were loaded
        return ranking, decisions

    def next_item(self, ws: Workspace, reviewer: str, double_share: float = 0.0, skip: AbstractSet[int] = frozenset()
                  ) -> NextItem | None:
        ranking, decisions = self._current(ws)
        by_anyone: dict[int, set[str]] = {}
        for d in decisions:
            if d.passage_id is not None:  # attached votes only; the guard is for the type checker
                by_anyone.setdefault(d.passage_id, set()).add(d.reviewer)
        if double_share > 0:
            for pid in ranking.ids:
                who = by_anyone.get(pid)
                if (who and reviewer not in who and len(who) == 1 and pid not in skip
                        and in_double_sample(pid, self.measure_id, double_share)):
                    return NextItem(pid, True)
        for pid in ranking.ids:
            if pid not in by_anyone and pid not in skip:
                return NextItem(pid, False)
        return None

    def progress(self, ws: Workspace) -> Progress:
        ranking, decisions = self._current(ws)
        final = self._final(decisions)
        ids = self._ids
        assert ids is not None  # loaded by _current
        reviewed = {d.passage_id for d in decisions if d.passage_id is not None} & self._index.keys()
        is_open = np.ones(len(ids), dtype=np.bool_)
        is_open[[self._index[pid] for pid in reviewed]] = False
        above = np.asarray(self._prior >= self.threshold, dtype=np.bool_)
        state = QueueState(order=[], scores=ranking.scores, expected_remaining=float(ranking.scores[is_open].sum()))
        recent = [d.relevant for d in decisions if d.passage_id in self._index]
        return Progress(
            candidates=len(ids), above_threshold=int(above.sum()), reviewed=len(reviewed),
            relevant=sum(1 for pid, label in final.items() if label and pid in self._index),
            left_above_threshold=int(np.logical_and(above, is_open).sum()),
            expected_remaining=state.expected_remaining,
            stop_suggested=bool(ids.size) and should_stop(state, recent),
            learned=ranking.learned)
