"""The ranked evidence for one measure, from the suggestions stored by ``analyseer``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook, Measure


@dataclass
class RankedPassage:
    passage_id: int
    measure_id: str
    score: float
    above_threshold: bool
    stage: int
    stage_cue: str | None
    elements_found: dict[str, list[str]]  # element id → terms found
    elements_missing: list[str]
    vulnerable_terms: list[str]
    organisation: str | None
    doc_type: str
    year: int | None
    title: str | None
    filename: str
    document_id: int
    page_no: int
    paginated: bool
    start: int
    end: int
    text: str
    extra: dict = field(default_factory=dict)


def analysed_threshold(ws: Workspace) -> float | None:
    """The threshold of the last finished analysis, or None when the workspace was never analysed."""
    row = ws.conn.execute("SELECT config FROM analysis_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else float(json.loads(row[0])["threshold"])


def latest_threshold(ws: Workspace) -> float:
    threshold = analysed_threshold(ws)
    if threshold is None:
        raise WeerbaarError("Deze werkruimte is nog niet geanalyseerd.", hint="Draai eerst 'weerbaar analyseer'.")
    return threshold


def ranked_passages(ws: Workspace, codebook: Codebook, measure_id: str, filters: DocumentFilters | None = None,
                    top: int = 20, include_below: bool = False) -> list[RankedPassage]:
    measure = _measure(codebook, measure_id)
    threshold = latest_threshold(ws)
    conditions, args = (filters or DocumentFilters()).where("d")
    where = conditions + ([] if include_below else ["s.score >= ?"])
    params = args + ([] if include_below else [threshold])
    return _query(ws, measure, threshold, where, params, top)


def ranked_passage(ws: Workspace, codebook: Codebook, measure_id: str, passage_id: int) -> RankedPassage | None:
    """One passage with its evidence for a measure, or None when analysis stored nothing for the pair."""
    measure = _measure(codebook, measure_id)
    found = _query(ws, measure, latest_threshold(ws), ["s.passage_id = ?"], [passage_id], 1)
    return found[0] if found else None


def _measure(codebook: Codebook, measure_id: str) -> Measure:
    try:
        return codebook.measure(measure_id)
    except KeyError:
        raise WeerbaarError(f"Maatregel '{measure_id}' bestaat niet in het codeboek.",
                            hint="'weerbaar maatregelen' toont de nummers.") from None


def _query(ws: Workspace, measure, threshold: float, where: list[str], params: list, top: int) -> list[RankedPassage]:
    rows = ws.conn.execute(
        f"""SELECT s.*, a.stage, a.stage_cue, a.vulnerable_terms, p.document_id, p.page_no, p.start, p.end, p.text,
                   d.organisation, d.doc_type, d.year, d.title, d.filename, d.paginated
            FROM suggestions s JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.id = p.document_id
            JOIN passage_analysis a ON a.passage_id = s.passage_id
            WHERE {' AND '.join(["s.measure_id = ?", *where])} ORDER BY s.score DESC, s.passage_id LIMIT ?""",
        [measure.id, *params, top]).fetchall()
    element_ids = [e.id for e in measure.elements]
    out = []
    for r in rows:
        found = json.loads(r["elements"])
        out.append(RankedPassage(
            passage_id=r["passage_id"], measure_id=measure.id, score=r["score"], above_threshold=r["score"] >= threshold,
            stage=r["stage"], stage_cue=r["stage_cue"], elements_found=found,
            elements_missing=[e for e in element_ids if e not in found],
            vulnerable_terms=json.loads(r["vulnerable_terms"]), organisation=r["organisation"], doc_type=r["doc_type"],
            year=r["year"], title=r["title"], filename=r["filename"], document_id=r["document_id"],
            page_no=r["page_no"], paginated=bool(r["paginated"]), start=r["start"], end=r["end"], text=r["text"]))
    return out
