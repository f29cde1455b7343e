"""The FastAPI application: state shared by all pages, and the pieces every route needs.

Server-rendered pages (Jinja2, autoescaped) with plain HTML forms: every action works without
JavaScript; ``toetsen.js`` only adds the keyboard shortcuts. Each request gets the workspace
connection of its thread; decisions are committed before the response is sent, so whatever a
reviewer saw confirmed survives a closed browser, a killed server or a crash.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.trustedhost import TrustedHostMiddleware

from weerbaar.errors import WeerbaarError
from weerbaar.index.semantic import SemanticIndex
from weerbaar.review.queue import MeasureQueue
from weerbaar.web.security import csrf_token
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.settings import secret

REVIEWER_COOKIE = "weerbaar_beoordelaar"
STAGE_LABELS = {0: "context", 1: "intentie", 2: "planning", 3: "uitvoering", 4: "getest of geborgd"}


@dataclass
class AppState:
    folder: Path
    codebook: object
    default_reviewer: str | None = None
    queues: dict = field(default_factory=dict)
    # Per app, not per class: two apps in one process (tests, scripts) must not share connections.
    local: threading.local = field(default_factory=threading.local)
    lock: threading.Lock = field(default_factory=threading.Lock)
    semantic: SemanticIndex = field(default_factory=SemanticIndex)

    def workspace(self) -> Workspace:
        ws = getattr(self.local, "ws", None)
        if ws is None:
            ws = self.local.ws = Workspace.open(self.folder)
        return ws

    def queue(self, measure_id: str, filters: DocumentFilters, threshold: float) -> MeasureQueue:
        key = (measure_id, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
        with self.lock:
            queue = self.queues.get(key)
            if queue is None or queue.threshold != threshold:
                queue = self.queues[key] = MeasureQueue(measure_id, filters, threshold)
            return queue


def filters_from(request: Request) -> DocumentFilters:
    q = request.query_params
    years = (q.get("jaar") or "").strip()
    year_from = year_to = None
    if years:
        parts = [p for p in years.replace("–", "-").split("-") if p.strip()]
        try:
            year_from, year_to = int(parts[0]), int(parts[-1])
        except (ValueError, IndexError):
            raise HTTPException(400, f"'{years}' is geen jaar of reeks zoals 2024 of 2020-2024.") from None
    return DocumentFilters(organisation=(q.get("organisatie") or "").strip() or None,
                           doc_type=(q.get("type") or "").strip() or None, year_from=year_from, year_to=year_to)


def filter_query(request: Request) -> str:
    """The filter part of the current query string, to carry along in links and forms."""
    kept = {k: v for k, v in request.query_params.items() if k in ("organisatie", "type", "jaar") and v}
    return urlencode(kept)


def reviewer_of(request: Request) -> str | None:
    state: AppState = request.app.state.weerbaar
    name = request.cookies.get(REVIEWER_COOKIE)
    return unquote(name) if name else state.default_reviewer


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    state: AppState = request.app.state.weerbaar
    ws = state.workspace()
    context.update(request=request, reviewer=reviewer_of(request), csrf=csrf_token(secret(ws)),
                   stage_labels=STAGE_LABELS, codebook=state.codebook, here=str(request.url.path) + (
                       f"?{request.url.query}" if request.url.query else ""))
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def create_app(folder: Path, codebook, *, reviewer: str | None = None, allowed_hosts: list[str] | None = None) -> FastAPI:
    Workspace.open(folder).close()  # fail early, in Dutch, when there is no workspace
    app = FastAPI(title="weerbaar", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.weerbaar = AppState(folder=folder, codebook=codebook, default_reviewer=reviewer)
    templates = Jinja2Templates(directory=str(resources.files("weerbaar.web").joinpath("templates")))
    templates.env.filters["nl"] = lambda x, digits=2: f"{x:.{digits}f}".replace(".", ",")
    templates.env.filters["urlquote"] = lambda s: quote(str(s))
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(resources.files("weerbaar.web").joinpath("static"))), name="static")
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)

    @app.exception_handler(WeerbaarError)
    async def weerbaar_error(request: Request, exc: WeerbaarError):
        return render(request, "fout.html", status_code=400, message=str(exc), hint=exc.hint)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return render(request, "fout.html", status_code=exc.status_code, message=exc.detail, hint=None)

    from weerbaar.web import routes_browse, routes_review, routes_team, routes_verdicts

    app.include_router(routes_review.router)
    app.include_router(routes_browse.router)
    app.include_router(routes_team.router)
    app.include_router(routes_verdicts.router)
    return app
