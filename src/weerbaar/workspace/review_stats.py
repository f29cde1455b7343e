"""Read-only counts over reviewers' decisions that the report, the verdict cache, the document page
and benchmarks need.

They read the ``decisions`` table, which the decision log (``ws.decisions``) owns; they are kept
apart here so that log can absorb them without touching their callers' signatures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    reviewers: int  # distinct reviewers with a standing decision
    reviewed: int  # distinct passage x measure pairs with a standing decision
    double_reviewed: int  # pairs that more than one reviewer decided (settling decisions not counted)


def review_counts(ws: Workspace) -> ReviewCounts:
    q = ws.conn.execute
    reviewers = q("SELECT count(DISTINCT reviewer) FROM decisions WHERE undone_at IS NULL").fetchone()[0]
    reviewed = q("SELECT count(DISTINCT passage_id || ':' || measure_id) FROM decisions WHERE undone_at IS NULL"
                 ).fetchone()[0]
    double = q("""SELECT count(*) FROM (SELECT passage_id, measure_id FROM decisions WHERE undone_at IS NULL
                  AND settles = 0 GROUP BY passage_id, measure_id HAVING count(DISTINCT reviewer) > 1)""").fetchone()[0]
    return ReviewCounts(reviewers, reviewed, double)


def decisions_fingerprint(ws: Workspace) -> dict[str, tuple]:
    """Per measure, what its decisions look like now: a decision or undo changes only its measure's."""
    return {r[0]: tuple(r[1:]) for r in ws.conn.execute(
        "SELECT measure_id, count(*), max(id), count(undone_at), max(undone_at) FROM decisions GROUP BY measure_id")}


@dataclass(frozen=True, slots=True)
class StandingDecision:
    """Who said what about a passage for a measure, as a document page lists it."""

    passage_id: int
    measure_id: str
    reviewer: str
    relevant: bool


def standing_on_document(ws: Workspace, document_id: int) -> dict[int, list[StandingDecision]]:
    """Per passage of a document: its standing (not undone) decisions, oldest first."""
    out: dict[int, list[StandingDecision]] = {}
    for r in ws.conn.execute(
            """SELECT passage_id, measure_id, reviewer, relevant FROM decisions
               WHERE passage_id IN (SELECT id FROM passages WHERE document_id = ?) AND undone_at IS NULL ORDER BY id""",
            (document_id,)):
        out.setdefault(r[0], []).append(StandingDecision(r[0], r[1], r[2], bool(r[3])))
    return out


def notes_starting_with(ws: Workspace, prefix: str) -> Counter:
    """How often each decision note that starts with ``prefix`` was stored (benchmarks tag decisions so)."""
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return Counter(r[0] for r in ws.conn.execute("SELECT note FROM decisions WHERE note LIKE ? ESCAPE '\\'", (like,)))


def decision_count(ws: Workspace) -> int:
    return ws.conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
