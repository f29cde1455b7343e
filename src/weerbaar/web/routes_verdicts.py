"""The verdicts dashboard: the matrix of organisations × measures in pillar blocks, coverage per
measure, and one cell's evidence. Verdicts come from the app's verdict cache (through
:meth:`weerbaar.api.Project.dashboard`), so a page load does not recompute every verdict (a
decision recomputes from the decision table only)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from weerbaar.api import NO_EVIDENCE, NOT_ASSESSED
from weerbaar.web.deps import ProjectDep
from weerbaar.web.pages import render

router = APIRouter()


@router.get("/oordelen")
def dashboard(request: Request, project: ProjectDep, voorlopig: bool = False):
    matrix = project.dashboard(include_suggestions=voorlopig)
    return render(request, "oordelen.html", cells=matrix.cells, organisations=matrix.organisations,
                  aggregates=matrix.measures, pillars=matrix.pillars, blocks=matrix.blocks, voorlopig=voorlopig,
                  not_assessed=NOT_ASSESSED, no_evidence=NO_EVIDENCE, symbols=matrix.symbols, css=matrix.css,
                  filter_query="")


@router.get("/oordelen/cel")
def cell(request: Request, project: ProjectDep, organisatie: str, maatregel: str, voorlopig: bool = False):
    view = project.cell(organisatie, maatregel, include_suggestions=voorlopig)
    if view is None:
        raise HTTPException(404, "Deze combinatie van organisatie en maatregel bestaat niet.")
    labels = {e.id: e.label for e in view.measure.elements}
    return render(request, "oordeel.html", v=view.verdict, measure=view.measure, summary=view.summary,
                  element_labels=labels, no_evidence=NO_EVIDENCE, voorlopig=voorlopig, filter_query="")
