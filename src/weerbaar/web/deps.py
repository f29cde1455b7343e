"""What a route handler asks for, as FastAPI dependencies: the app state, the workspace (the
store) and the project on it (the API: :class:`weerbaar.api.Project`, on the same pooled
connection), the codebook, the reviewer, the document filters of the query string, and the CSRF
check of a form.

    @router.post("/beslissing", dependencies=[CSRF])
    def decide(project: ProjectDep, reviewer: DecidingReviewer, ...): ...

Routes import these (and :mod:`weerbaar.web.pages` to render), never :mod:`weerbaar.web.app`,
which only assembles the app from the routes.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request

from weerbaar.api import Project
from weerbaar.codebook import Codebook
from weerbaar.web.auth import csrf_checked, require_coordinator, reviewer_of
from weerbaar.web.state import AppState, app_state, request_workspace
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters

MAX_YEAR = 9999


def codebook(request: Request) -> Codebook:
    return app_state(request).codebook


def deciding_reviewer(request: Request) -> str:
    """The reviewer a decision is stored under; a decision without one is refused."""
    reviewer = reviewer_of(request)
    if not reviewer:
        raise HTTPException(400, "Vul eerst uw naam in op de startpagina.")
    return reviewer


def request_project(request: Request, ws: Annotated[Workspace, Depends(request_workspace)]) -> Project:
    """The API's project on this request's pooled connection (FastAPI hands both out once per request)."""
    return app_state(request).project(ws)


def filters_from(request: Request) -> DocumentFilters:
    q = request.query_params
    years = (q.get("jaar") or "").strip()
    year_from = year_to = None
    if years:
        parts = [p for p in years.replace("–", "-").split("-") if p.strip()]
        try:
            year_from, year_to = int(parts[0]), int(parts[-1])
            if not (0 <= year_from <= MAX_YEAR and 0 <= year_to <= MAX_YEAR):
                raise ValueError
        except (ValueError, IndexError):
            raise HTTPException(400, f"'{years}' is geen jaar of reeks zoals 2024 of 2020-2024.") from None
    return DocumentFilters(organisation=(q.get("organisatie") or "").strip() or None,
                           doc_type=(q.get("type") or "").strip() or None, year_from=year_from, year_to=year_to)


def filter_query(request: Request) -> str:
    """The filter part of the current query string, to carry along in links and forms."""
    kept = {k: v for k, v in request.query_params.items() if k in ("organisatie", "type", "jaar") and v}
    return urlencode(kept)


State = Annotated[AppState, Depends(app_state)]
WorkspaceDep = Annotated[Workspace, Depends(request_workspace)]
ProjectDep = Annotated[Project, Depends(request_project)]
CodebookDep = Annotated[Codebook, Depends(codebook)]
Reviewer = Annotated[str | None, Depends(reviewer_of)]  # may be None: the page asks for a name
DecidingReviewer = Annotated[str, Depends(deciding_reviewer)]
Filters = Annotated[DocumentFilters, Depends(filters_from)]
FilterQuery = Annotated[str, Depends(filter_query)]
#: In ``dependencies=[...]`` of every route that changes something.
CSRF = Depends(csrf_checked)
COORDINATOR = Depends(require_coordinator)
