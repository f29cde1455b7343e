"""The verdicts dashboard: the matrix of organisations × measures in pillar blocks, coverage per
measure, and one cell's evidence. Verdicts come from a per-app :class:`VerdictCache`, so a page
load does not recompute every verdict (a decision recomputes from the decision table only)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, HTTPException, Request

from weerbaar.assess.aggregate import per_measure, per_pillar
from weerbaar.assess.cache import VerdictCache
from weerbaar.assess.summary import summarise
from weerbaar.assess.verdicts import NO_EVIDENCE, NOT_ASSESSED
from weerbaar.report.build import CSS_CLASS, SYMBOLS, matrix_blocks
from weerbaar.web.deps import CodebookDep, WorkspaceDep
from weerbaar.web.pages import render

router = APIRouter()
_cache_lock = threading.Lock()


def verdict_cache(request: Request) -> VerdictCache:
    """One cache per app instance (two apps in one process must not share it)."""
    state = request.app.state
    with _cache_lock:
        cache = getattr(state, "verdict_cache", None)
        if cache is None:
            cache = state.verdict_cache = VerdictCache()
    return cache


@router.get("/oordelen")
def dashboard(request: Request, ws: WorkspaceDep, codebook: CodebookDep, voorlopig: bool = False):
    verdicts = verdict_cache(request).verdicts(ws, codebook, include_suggestions=voorlopig)
    cells = {(v.organisation, v.measure_id): v for v in verdicts}
    organisations = sorted({v.organisation for v in verdicts})
    measures = per_measure(verdicts, codebook)
    return render(request, "oordelen.html", cells=cells, organisations=organisations,
                  aggregates={a.key: a for a in measures}, pillars=per_pillar(verdicts, codebook),
                  blocks=matrix_blocks(codebook.pillars), voorlopig=voorlopig, not_assessed=NOT_ASSESSED,
                  no_evidence=NO_EVIDENCE, symbols=SYMBOLS, css=CSS_CLASS, filter_query="")


@router.get("/oordelen/cel")
def cell(request: Request, ws: WorkspaceDep, codebook: CodebookDep, organisatie: str, maatregel: str,
         voorlopig: bool = False):
    try:
        measure = codebook.measure(maatregel)
    except Exception:
        measure = None
    verdict = None if measure is None else verdict_cache(request).cell(
        ws, codebook, organisatie, maatregel, include_suggestions=voorlopig)
    if measure is None or verdict is None:
        raise HTTPException(404, "Deze combinatie van organisatie en maatregel bestaat niet.")
    labels = {e.id: e.label for e in measure.elements}
    return render(request, "oordeel.html", v=verdict, measure=measure, summary=summarise(verdict, measure, codebook.scale),
                  element_labels=labels, no_evidence=NO_EVIDENCE, voorlopig=voorlopig, filter_query="")
