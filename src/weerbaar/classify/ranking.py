"""The ranked evidence for one measure, from the suggestions stored by ``analyseer``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.records import Citation

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook, Measure


@dataclass
class RankedPassage:
    """A passage at its place (``citation``) as evidence for one measure, with what analysis found in it."""

    citation: Citation
    measure_id: str
    score: float
    above_threshold: bool
    stage: int
    stage_cue: str | None
    elements_found: dict[str, list[str]]  # element id → terms found
    elements_missing: list[str]
    vulnerable_terms: list[str]
    extra: dict = field(default_factory=dict)

    @property
    def passage_id(self) -> int:
        assert self.citation.passage_id is not None
        return self.citation.passage_id


def latest_threshold(ws: Workspace) -> float:
    threshold = ws.analysis.threshold()
    if threshold is None:
        raise WeerbaarError("Deze werkruimte is nog niet geanalyseerd.", hint="Draai eerst 'weerbaar analyseer'.")
    return threshold


def ranked_passages(ws: Workspace, codebook: Codebook, measure_id: str, filters: DocumentFilters | None = None,
                    top: int = 20, include_below: bool = False) -> list[RankedPassage]:
    measure = _measure(codebook, measure_id)
    threshold = latest_threshold(ws)
    found = ws.analysis.ranked(measure.id, filters, min_score=None if include_below else threshold, limit=top)
    return _ranked(measure, threshold, found)


def ranked_passage(ws: Workspace, codebook: Codebook, measure_id: str, passage_id: int) -> RankedPassage | None:
    """One passage with its evidence for a measure, or None when analysis stored nothing for the pair."""
    measure = _measure(codebook, measure_id)
    threshold = latest_threshold(ws)
    found = _ranked(measure, threshold, ws.analysis.ranked(measure.id, passage_id=passage_id, limit=1))
    return found[0] if found else None


def _measure(codebook: Codebook, measure_id: str) -> Measure:
    try:
        return codebook.measure(measure_id)
    except KeyError:
        raise WeerbaarError(f"Maatregel '{measure_id}' bestaat niet in het codeboek.",
                            hint="'weerbaar maatregelen' toont de nummers.") from None


def _ranked(measure, threshold: float, found) -> list[RankedPassage]:
    element_ids = [e.id for e in measure.elements]
    return [RankedPassage(
        citation=f.citation, measure_id=measure.id, score=f.suggestion.score,
        above_threshold=f.suggestion.score >= threshold, stage=f.stage, stage_cue=f.stage_cue,
        elements_found=f.suggestion.elements, elements_missing=[e for e in element_ids if e not in f.suggestion.elements],
        vulnerable_terms=f.vulnerable_terms) for f in found]
