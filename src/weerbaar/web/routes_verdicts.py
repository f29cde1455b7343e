"""The verdicts dashboard: the heatmap of organisations × measures, and a cell's evidence."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from weerbaar.assess.aggregate import per_measure
from weerbaar.assess.summary import summarise
from weerbaar.assess.verdicts import NOT_ASSESSED, assess
from weerbaar.web.app import render

router = APIRouter()


@router.get("/oordelen")
def dashboard(request: Request, voorlopig: bool = False):
    state = request.app.state.weerbaar
    verdicts = assess(state.workspace(), state.codebook, include_suggestions=voorlopig)
    cells = {(v.organisation, v.measure_id): v for v in verdicts}
    organisations = sorted({v.organisation for v in verdicts})
    return render(request, "oordelen.html", cells=cells, organisations=organisations,
                  aggregates=per_measure(verdicts, state.codebook), voorlopig=voorlopig, not_assessed=NOT_ASSESSED,
                  filter_query="")


@router.get("/oordelen/cel")
def cell(request: Request, organisatie: str, maatregel: str, voorlopig: bool = False):
    state = request.app.state.weerbaar
    verdict = next((v for v in assess(state.workspace(), state.codebook, include_suggestions=voorlopig)
                    if v.organisation == organisatie and v.measure_id == maatregel), None)
    if verdict is None:
        raise HTTPException(404, "Deze combinatie van organisatie en maatregel bestaat niet.")
    return render(request, "oordeel.html", v=verdict, measure=state.codebook.measure(maatregel),
                  summary=summarise(verdict), filter_query="")
