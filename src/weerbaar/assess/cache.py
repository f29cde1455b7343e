"""Verdicts kept between web requests, recomputed only when the workspace changed.

Two layers, because they change at different speeds: the analysis-derived
:class:`~weerbaar.assess.verdicts.CandidateSnapshot` changes only with a new analysis, ingest or
metadata correction; the verdicts change with every decision. A decision therefore costs a
recomputation from the (small) decision table, not a scan of all suggestions.
"""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING

from weerbaar.assess.verdicts import CandidateSnapshot, Verdict, assess, candidate_snapshot
from weerbaar.workspace import Workspace

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook


def analysis_fingerprint(ws: Workspace) -> tuple:
    """Changes with a new analysis, an ingest (documents added, replaced or removed) and a metadata
    correction (an organisation renamed): everything the candidate snapshot depends on."""
    return ws.analysis.fingerprint()


def _keep_out_of_gc_scans() -> None:
    """The cached verdicts are long-lived objects without reference cycles (tens of thousands of
    them on a large workspace). Left in the collector's generations, every full collection rescans
    them, which showed up as 200–300 ms pauses in random page loads. Frozen objects are still
    freed by reference counting when the cache replaces them."""
    gc.freeze()


class VerdictCache:
    """Thread-safe: one computation at a time; readers get the last complete result."""

    def __init__(self):
        self._lock = threading.Lock()
        self._snapshot: tuple[tuple, CandidateSnapshot] | None = None
        self._verdicts: dict[bool, tuple[dict, dict[str, list[Verdict]]]] = {}  # per measure

    def snapshot(self, ws: Workspace) -> CandidateSnapshot:
        key = analysis_fingerprint(ws)
        with self._lock:
            if self._snapshot is None or self._snapshot[0] != key:
                self._snapshot = (key, candidate_snapshot(ws))
                self._verdicts.clear()
                _keep_out_of_gc_scans()
            return self._snapshot[1]

    def verdicts(self, ws: Workspace, codebook: Codebook, *, include_suggestions: bool = False) -> list[Verdict]:
        """Every cell's verdict, for an overview: unvalidated evidence carries no text. After a
        decision only the verdicts of that decision's measure are recomputed (a decision changes
        its own cell and its measure's stop suggestion, nothing else)."""
        snapshot = self.snapshot(ws)
        key = ws.decisions.fingerprint()
        with self._lock:
            cached = self._verdicts.get(include_suggestions)
            if cached is None:
                by_measure: dict[str, list[Verdict]] = {}
                for v in assess(ws, codebook, include_suggestions=include_suggestions, snapshot=snapshot, texts=False):
                    by_measure.setdefault(v.measure_id, []).append(v)
            else:
                by_measure = dict(cached[1])
                for measure_id in {m for m in key.keys() | cached[0].keys() if key.get(m) != cached[0].get(m)}:
                    by_measure[measure_id] = assess(ws, codebook, include_suggestions=include_suggestions,
                                                    snapshot=snapshot, texts=False, measure_id=measure_id)
            self._verdicts[include_suggestions] = (key, by_measure)
            _keep_out_of_gc_scans()
            return [v for m in codebook.measures for v in by_measure.get(m.id, [])]

    def cell(self, ws: Workspace, codebook: Codebook, organisation: str, measure_id: str, *,
             include_suggestions: bool = False) -> Verdict | None:
        """One cell with its evidence and texts, for the cell page."""
        found = assess(ws, codebook, include_suggestions=include_suggestions, organisation=organisation,
                       measure_id=measure_id, snapshot=self.snapshot(ws))
        return found[0] if found else None
